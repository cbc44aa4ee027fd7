import { z } from "zod";

/** Block numbers are u32 on subtensor: the real bounds, not ±2^53. */
export const MAX_BLOCK = 4_294_967_295;
/** A block number, a count of blocks, or an index within a cycle. */
export const blocks = () => z.number().int().min(0).max(MAX_BLOCK);
/** A block of the previous cycle: below 0 while the chain is younger than one cycle. */
const shiftedBlock = () => z.number().int().min(-MAX_BLOCK).max(MAX_BLOCK);

export const serviceInfoSchema = z
  .object({
    message: z.string(),
    cycle_length: blocks(),
    phases: z.array(z.object({ index: blocks(), name: z.string(), length: blocks() })),
  })
  .meta({ id: "PhaseServiceInfo" });

export const phaseSchema = z
  .object({
    block: blocks().describe("Current Bittensor block number"),
    cycle_length: blocks().describe("Total blocks in one full cycle"),
    cycle_index: blocks().describe("Which cycle we are in (block / cycle_length)"),
    cycle_block_index: blocks().describe("Position within the current cycle (0-indexed)"),
    phase_name: z.string().describe("Name of the current phase"),
    phase_index: blocks().describe("Index of the current phase within the cycle"),
    phase_start_block: blocks().describe("Absolute block where the current phase started"),
    phase_end_block: blocks().describe("Absolute block where the current phase ends (inclusive)"),
    blocks_into_phase: blocks().describe("How many blocks have elapsed in this phase"),
    blocks_remaining_in_phase: blocks().describe("How many blocks remain in this phase, not counting the current one"),
  })
  .meta({ id: "Phase" });

export const nextPhasesSchema = z
  .record(z.string(), z.tuple([blocks(), blocks(), blocks()]))
  .describe("Phase name -> [start_block, end_block, blocks_until] of its next occurrence")
  .meta({ id: "BlocksUntilNextPhase" });

export const previousPhasesSchema = z
  .record(z.string(), z.tuple([shiftedBlock(), shiftedBlock()]))
  .describe("Phase name -> [start_block, end_block]: the /blocks_until_next_phase entry shifted back one cycle")
  .meta({ id: "PreviousPhaseBlocks" });

export const peersSchema = z.array(z.string()).describe("DHT bootstrap multiaddresses").meta({ id: "BootstrapPeers" });
