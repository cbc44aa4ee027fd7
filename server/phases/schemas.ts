import { z } from "zod";

export const MULTIADDR_PATTERN = /^(\/[a-z0-9-]+\/[^/\s]+)+$/;

export const serviceInfoSchema = z
  .object({
    message: z.string(),
    cycle_length: z.number().int(),
    phases: z.array(z.object({ index: z.number().int(), name: z.string(), length: z.number().int() })),
  })
  .meta({ id: "PhaseServiceInfo" });

export const phaseSchema = z
  .object({
    block: z.number().int().describe("Current Bittensor block number"),
    cycle_length: z.number().int().describe("Total blocks in one full cycle"),
    cycle_index: z.number().int().describe("Which cycle we are in (block / cycle_length)"),
    cycle_block_index: z.number().int().describe("Position within the current cycle (0-indexed)"),
    phase_name: z.string().describe("Name of the current phase"),
    phase_index: z.number().int().describe("Index of the current phase within the cycle"),
    phase_start_block: z.number().int().describe("Absolute block where the current phase started"),
    phase_end_block: z.number().int().describe("Absolute block where the current phase ends (inclusive)"),
    blocks_into_phase: z.number().int().describe("How many blocks have elapsed in this phase"),
    blocks_remaining_in_phase: z
      .number()
      .int()
      .describe("How many blocks remain in this phase, not counting the current one"),
  })
  .meta({ id: "Phase" });

export const nextPhasesSchema = z
  .record(z.string(), z.tuple([z.number().int(), z.number().int(), z.number().int()]))
  .describe("Phase name -> [start_block, end_block, blocks_until] of its next occurrence")
  .meta({ id: "BlocksUntilNextPhase" });

export const previousPhasesSchema = z
  .record(z.string(), z.tuple([z.number().int(), z.number().int()]))
  .describe("Phase name -> [start_block, end_block]: the /blocks_until_next_phase entry shifted back one cycle")
  .meta({ id: "PreviousPhaseBlocks" });

export const peersSchema = z.array(z.string()).describe("DHT bootstrap multiaddresses").meta({ id: "BootstrapPeers" });

export const multiaddrSchema = z
  .string()
  .trim()
  .min(3)
  .max(512)
  .regex(MULTIADDR_PATTERN, "must be a multiaddress such as /ip4/203.0.113.1/tcp/4001/p2p/<peer id>");

export const fastApiErrorSchema = z.object({ detail: z.string() }).meta({ id: "HTTPError" });
