/**
 * Phase math of the SN owner phase oracle. Pure: everything follows from one block number and an
 * ordered list of phases. There is no genesis offset: cycle n covers blocks [n*L, (n+1)*L).
 */

export interface PhaseSpec {
  name: string;
  length: number;
}

export interface Schedule {
  phases: readonly PhaseSpec[];
  /** Sum of all phase lengths. */
  cycleLength: number;
  /** Start offset of each phase inside the cycle. */
  starts: readonly number[];
}

export interface PhaseAt {
  block: number;
  cycle_length: number;
  cycle_index: number;
  cycle_block_index: number;
  phase_name: string;
  phase_index: number;
  phase_start_block: number;
  /** Inclusive. */
  phase_end_block: number;
  blocks_into_phase: number;
  /** Excludes the current block. */
  blocks_remaining_in_phase: number;
}

export const SEED_SCHEDULE: readonly PhaseSpec[] = [
  { name: "Distribute", length: 5 },
  { name: "Train", length: 20 },
  { name: "MinerCommit1", length: 3 },
  { name: "MinerCommit2", length: 3 },
  { name: "Submission", length: 3 },
  { name: "Validate", length: 3 },
  { name: "Merge", length: 3 },
  { name: "ValidatorCommit1", length: 3 },
  { name: "ValidatorCommit2", length: 2 },
];

export class ScheduleError extends Error {}

export function makeSchedule(phases: readonly PhaseSpec[]): Schedule {
  if (phases.length === 0) throw new ScheduleError("the schedule needs at least one phase");
  const seen = new Set<string>();
  const starts: number[] = [];
  let offset = 0;
  for (const p of phases) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(p.name)) {
      throw new ScheduleError(`phase name "${p.name}" must be letters, digits or _ and start with a letter`);
    }
    if (seen.has(p.name)) throw new ScheduleError(`phase name "${p.name}" appears twice`);
    if (!Number.isSafeInteger(p.length) || p.length <= 0) {
      throw new ScheduleError(`phase "${p.name}" needs a positive whole length, got ${p.length}`);
    }
    seen.add(p.name);
    starts.push(offset);
    offset += p.length;
  }
  return { phases: phases.map((p) => ({ ...p })), cycleLength: offset, starts };
}

/** Parses "Name:len,Name:len,..." as used by the PHASE_SCHEDULE variable. */
export function parseSchedule(text: string): Schedule {
  const phases = text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([^:\s]+)\s*:\s*(\S+)$/.exec(part);
      if (!m) throw new ScheduleError(`"${part}" is not of the form Name:length`);
      return { name: m[1], length: Number(m[2]) };
    });
  return makeSchedule(phases);
}

export function formatSchedule(schedule: Schedule): string {
  return schedule.phases.map((p) => `${p.name}:${p.length}`).join(",");
}

export function isUsableBlock(block: number): boolean {
  return Number.isSafeInteger(block) && block >= 0;
}

function phaseIndexAt(schedule: Schedule, cycleBlockIndex: number): number {
  const { starts } = schedule;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= cycleBlockIndex) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function phaseAt(block: number, schedule: Schedule): PhaseAt {
  const L = schedule.cycleLength;
  const cycleIndex = Math.floor(block / L);
  const cycleBlockIndex = block - cycleIndex * L;
  const index = phaseIndexAt(schedule, cycleBlockIndex);
  const start = schedule.starts[index];
  const length = schedule.phases[index].length;
  return {
    block,
    cycle_length: L,
    cycle_index: cycleIndex,
    cycle_block_index: cycleBlockIndex,
    phase_name: schedule.phases[index].name,
    phase_index: index,
    phase_start_block: cycleIndex * L + start,
    phase_end_block: cycleIndex * L + start + length - 1,
    blocks_into_phase: cycleBlockIndex - start,
    blocks_remaining_in_phase: start + length - cycleBlockIndex - 1,
  };
}

/**
 * For every phase, its next occurrence as [start, end, blocks_until]. A phase whose start offset is at
 * or after the current position belongs to this cycle, otherwise to the next one; so the current phase
 * shows itself (with 0) only on its first block.
 */
export function blocksUntilNextPhase(block: number, schedule: Schedule): Record<string, [number, number, number]> {
  const L = schedule.cycleLength;
  const cycleBlockIndex = block % L;
  const cycleStart = block - cycleBlockIndex;
  const out: Record<string, [number, number, number]> = {};
  schedule.phases.forEach((p, i) => {
    const offset = schedule.starts[i];
    const start = offset >= cycleBlockIndex ? cycleStart + offset : cycleStart + L + offset;
    out[p.name] = [start, start + p.length - 1, start - block];
  });
  return out;
}

/** Each phase's next occurrence shifted back by one cycle length (clients depend on this exact rule). */
export function previousPhaseBlocks(block: number, schedule: Schedule): Record<string, [number, number]> {
  const next = blocksUntilNextPhase(block, schedule);
  const L = schedule.cycleLength;
  const out: Record<string, [number, number]> = {};
  for (const [name, [start, end]] of Object.entries(next)) out[name] = [start - L, end - L];
  return out;
}

/** The phases of the cycle that contains `block`, with absolute block ranges (for timelines). */
export function cycleLayout(block: number, schedule: Schedule) {
  const L = schedule.cycleLength;
  const cycleStart = block - (block % L);
  return schedule.phases.map((p, i) => ({
    index: i,
    name: p.name,
    length: p.length,
    start: cycleStart + schedule.starts[i],
    end: cycleStart + schedule.starts[i] + p.length - 1,
  }));
}
