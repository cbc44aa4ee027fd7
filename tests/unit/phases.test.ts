import { describe, expect, it } from "vitest";
import {
  SEED_SCHEDULE,
  ScheduleError,
  blocksUntilNextPhase,
  makeSchedule,
  parseSchedule,
  phaseAt,
  previousPhaseBlocks,
} from "@/server/phases/schedule";
import { SEED_PHASE, SEED_PREVIOUS_AT_54315 } from "../support/seed-examples";

const seed = makeSchedule(SEED_SCHEDULE);

/** Reference implementation: walk the cycle block by block. */
function bruteForce(block: number, schedule = seed) {
  const L = schedule.cycleLength;
  const cycleStart = block - (block % L);
  let b = cycleStart;
  for (let i = 0; i < schedule.phases.length; i++) {
    const len = schedule.phases[i].length;
    if (block >= b && block < b + len) {
      let remaining = 0;
      for (let x = block + 1; x < b + len; x++) remaining++;
      return { index: i, start: b, end: b + len - 1, into: block - b, remaining };
    }
    b += len;
  }
  throw new Error("unreachable");
}

describe("phaseAt", () => {
  it("matches the seed's example at block 54321", () => {
    expect(phaseAt(54321, seed)).toEqual(SEED_PHASE);
  });

  it.each([
    // block, phase, start, end, into, remaining
    [0, "Distribute", 0, 4, 0, 4],
    [4, "Distribute", 0, 4, 4, 0],
    [5, "Train", 5, 24, 0, 19],
    [24, "Train", 5, 24, 19, 0],
    [25, "MinerCommit1", 25, 27, 0, 2],
    [28, "MinerCommit2", 28, 30, 0, 2],
    [31, "Submission", 31, 33, 0, 2],
    [33, "Submission", 31, 33, 2, 0],
    [34, "Validate", 34, 36, 0, 2],
    [37, "Merge", 37, 39, 0, 2],
    [40, "ValidatorCommit1", 40, 42, 0, 2],
    [43, "ValidatorCommit2", 43, 44, 0, 1],
    [44, "ValidatorCommit2", 43, 44, 1, 0],
    [45, "Distribute", 45, 49, 0, 4],
  ])("block %i is %s [%i, %i], into %i, remaining %i", (block, name, start, end, into, remaining) => {
    const p = phaseAt(block, seed);
    expect(p.phase_name).toBe(name);
    expect([p.phase_start_block, p.phase_end_block, p.blocks_into_phase, p.blocks_remaining_in_phase]).toEqual([
      start,
      end,
      into,
      remaining,
    ]);
  });

  it("handles very large blocks exactly", () => {
    const block = Number.MAX_SAFE_INTEGER - 7;
    const p = phaseAt(block, seed);
    const ref = bruteForce(block);
    expect(p.phase_index).toBe(ref.index);
    expect(p.phase_start_block).toBe(ref.start);
    expect(p.cycle_index * 45 + p.cycle_block_index).toBe(block);
  });

  it("agrees with a brute-force walk over many cycles and schedules", () => {
    const schedules = [seed, parseSchedule("A:1"), parseSchedule("A:1,B:1,C:7"), parseSchedule("X:13,Y:2,Z:1,W:30")];
    for (const s of schedules) {
      for (let block = 0; block < s.cycleLength * 4 + 3; block++) {
        const p = phaseAt(block, s);
        const ref = bruteForce(block, s);
        expect([
          p.phase_index,
          p.phase_start_block,
          p.phase_end_block,
          p.blocks_into_phase,
          p.blocks_remaining_in_phase,
        ]).toEqual([ref.index, ref.start, ref.end, ref.into, ref.remaining]);
        expect(p.blocks_into_phase + p.blocks_remaining_in_phase + 1).toBe(s.phases[p.phase_index].length);
      }
    }
  });
});

describe("blocksUntilNextPhase", () => {
  it("at 54305 (cycle start 54270, offset 35) puts passed phases in the next cycle", () => {
    const next = blocksUntilNextPhase(54305, seed);
    expect(next.Distribute).toEqual([54315, 54319, 10]);
    expect(next.Train).toEqual([54320, 54339, 15]);
    // Validate started at 54304, before the current position: its next occurrence is next cycle's.
    expect(next.Validate).toEqual([54349, 54351, 44]);
    // Merge starts later in this cycle.
    expect(next.Merge).toEqual([54307, 54309, 2]);
  });

  it("shows the current phase with 0 only on its first block", () => {
    expect(blocksUntilNextPhase(54320, seed).Train).toEqual([54320, 54339, 0]);
    expect(blocksUntilNextPhase(54321, seed).Train).toEqual([54365, 54384, 44]);
  });

  it("never points to the past and always to a block of that phase", () => {
    for (let block = 0; block < 200; block++) {
      for (const [name, [start, end, until]] of Object.entries(blocksUntilNextPhase(block, seed))) {
        expect(until).toBeGreaterThanOrEqual(0);
        expect(until).toBeLessThan(45);
        expect(start - block).toBe(until);
        expect(phaseAt(start, seed).phase_name).toBe(name);
        expect(phaseAt(start, seed).phase_start_block).toBe(start);
        expect(phaseAt(end, seed).phase_end_block).toBe(end);
      }
    }
  });
});

describe("previousPhaseBlocks", () => {
  it("is the next occurrence shifted back by one cycle", () => {
    for (const block of [0, 6, 44, 54305, 54321]) {
      const next = blocksUntilNextPhase(block, seed);
      const prev = previousPhaseBlocks(block, seed);
      for (const name of Object.keys(next)) expect(prev[name]).toEqual([next[name][0] - 45, next[name][1] - 45]);
    }
  });

  it("at 54315 gives the previous cycle's ranges as in the seed", () => {
    expect(previousPhaseBlocks(54315, seed)).toEqual(SEED_PREVIOUS_AT_54315);
  });
});

describe("schedule validation", () => {
  it("parses the configuration form and keeps order", () => {
    const s = parseSchedule("Distribute:5, Train:20");
    expect(s.cycleLength).toBe(25);
    expect(s.starts).toEqual([0, 5]);
  });
  it.each([
    ["", "at least one phase"],
    ["A:0", "positive"],
    ["A:-3", "positive"],
    ["A:1.5", "positive"],
    ["A:x", "positive"],
    ["A:1,A:2", "twice"],
    ["A", "Name:length"],
    ["1A:2", "start with a letter"],
  ])("refuses %j", (text, message) => {
    expect(() => parseSchedule(text)).toThrow(ScheduleError);
    expect(() => parseSchedule(text)).toThrow(message);
  });
});
