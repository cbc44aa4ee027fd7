import { chain } from "../chain";
import { db, isUniqueViolation } from "../db";
import { config } from "../env";
import { BadRequestError, ConflictError } from "../errors";
import {
  blocksUntilNextPhase,
  cycleLayout,
  isUsableBlock,
  phaseAt,
  previousPhaseBlocks,
  type Schedule,
} from "./schedule";

export * from "./schedule";

export function schedule(): Schedule {
  return config().schedule;
}

/** The head the oracle answers for; a 400 "Invalid block input" while none is usable (as upstream). */
export function currentBlock(): number {
  const head = chain().head();
  if (head === null || !isUsableBlock(head)) {
    throw new BadRequestError(
      `Invalid block input: ${head === null ? "the chain head is not known yet" : `block ${head} cannot be used`}`,
    );
  }
  return head;
}

export function serviceInfo() {
  const s = schedule();
  return {
    message: "Phase service is running",
    cycle_length: s.cycleLength,
    phases: s.phases.map((p, index) => ({ index, name: p.name, length: p.length })),
  };
}

export const currentPhase = () => phaseAt(currentBlock(), schedule());
export const nextPhases = () => blocksUntilNextPhase(currentBlock(), schedule());
export const previousPhases = () => previousPhaseBlocks(currentBlock(), schedule());

/** Everything the dashboard's timeline draws, for one block. */
export function timeline(block = currentBlock()) {
  const s = schedule();
  const L = s.cycleLength;
  return {
    block,
    blockTimeMs: config().BLOCK_TIME_MS,
    current: phaseAt(block, s),
    cycle: cycleLayout(block, s),
    previousCycle: cycleLayout(block - L >= 0 ? block - L : block, s).map((p) =>
      block - L >= 0 ? p : { ...p, start: -1, end: -1 },
    ),
    next: blocksUntilNextPhase(block, s),
  };
}

/** Measured length of recent cycles from the head arrival times seen by this process. */
export function recentCycles(heads: readonly { block: number; at: number }[], count = 8) {
  const s = schedule();
  const L = s.cycleLength;
  const blockTime = config().BLOCK_TIME_MS;
  const byBlock = new Map(heads.map((h) => [h.block, h.at]));
  const last = heads.at(-1)?.block;
  if (last === undefined) return [];
  const currentCycle = Math.floor(last / L);
  const out = [];
  for (let c = Math.max(0, currentCycle - count + 1); c <= currentCycle; c++) {
    const phases: Record<string, number | null> = {};
    s.phases.forEach((p, i) => {
      const start = c * L + s.starts[i];
      const t0 = byBlock.get(start);
      const t1 = byBlock.get(start + p.length);
      phases[p.name] = t0 !== undefined && t1 !== undefined ? (t1 - t0) / 1000 : null;
    });
    out.push({ cycle: c, expectedSeconds: (L * blockTime) / 1000, phases });
  }
  return out;
}

// ---- DHT bootstrap peers: configured ones (BOOTSTRAP_PEERS) first, then those an admin added.

export async function bootstrapPeers(): Promise<string[]> {
  const stored = await db().bootstrapPeer.findMany({ orderBy: { id: "asc" } });
  return [...new Set([...config().BOOTSTRAP_PEERS, ...stored.map((p) => p.multiaddr)])];
}

export async function listPeersForAdmin() {
  const stored = await db().bootstrapPeer.findMany({ orderBy: { id: "asc" } });
  return [
    ...config().BOOTSTRAP_PEERS.map((multiaddr) => ({
      id: null,
      multiaddr,
      source: "config" as const,
      createdBy: null,
      createdAt: null,
    })),
    ...stored.map((p) => ({
      id: p.id,
      multiaddr: p.multiaddr,
      source: "database" as const,
      createdBy: p.createdBy,
      createdAt: p.createdAt.toISOString(),
    })),
  ];
}

/** Adds a peer; one already listed (configured or added) is reported, not added twice. */
export async function addPeer(multiaddr: string, by: string) {
  if (config().BOOTSTRAP_PEERS.includes(multiaddr))
    throw new ConflictError(`${multiaddr} is already configured (BOOTSTRAP_PEERS)`);
  try {
    await db().bootstrapPeer.create({ data: { multiaddr, createdBy: by } });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`${multiaddr} is already in the list`);
    throw e;
  }
}

export async function removePeer(id: number) {
  await db().bootstrapPeer.deleteMany({ where: { id } });
}
