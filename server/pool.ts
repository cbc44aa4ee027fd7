import { performance, type EventLoopUtilization } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { lazy } from "./global";

export interface PoolOptions {
  /**
   * Background work (a Proof of GPU round): a worker takes its next item, and its task goes past each `room()`,
   * only while the event loop has room (busy under half of the last 100-400 ms), so the API's answers keep their
   * latency. One worker, the lowest-numbered still working, always goes on: the work ends under any load.
   */
  background?: boolean;
}

/** Resolves when the task may go on (at once outside background pools). */
export type Room = () => Promise<void>;

/**
 * Runs `task` over `items` with at most `concurrency` at once and resolves with the results in the items' order.
 * A task that throws rejects the whole (as Promise.all does); tasks that must not, catch their own errors.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number, room: Room) => Promise<R>,
  opts: PoolOptions = {},
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const working = new Set<number>();
  const worker = async (w: number) => {
    const room: Room = async () => {
      while (opts.background && w !== Math.min(...working) && loopBusy() !== false) await sleep(LOOP_SAMPLE_MS);
    };
    working.add(w);
    try {
      while (next < items.length) {
        await room();
        if (next >= items.length) break;
        const i = next++;
        results[i] = await task(items[i]!, i, room);
      }
    } finally {
      working.delete(w);
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(concurrency, items.length)) }, (_, w) => worker(w)));
  return results;
}

const LOOP_SAMPLE_MS = 100;
const BUSY = 0.5;
interface LoopSample {
  at: number;
  elu: EventLoopUtilization;
  busy: boolean | null;
}
const lastSample = lazy((): LoopSample => ({
  at: performance.now(),
  elu: performance.eventLoopUtilization(),
  busy: null,
}));

/**
 * Whether the event loop was busy more than BUSY of the time over the last sample (100-400 ms); null when no
 * sample is that recent (one starts now).
 */
function loopBusy(): boolean | null {
  const at = performance.now();
  let sample = lastSample();
  const age = at - sample.at;
  if (age >= LOOP_SAMPLE_MS) {
    const elu = performance.eventLoopUtilization();
    const busy =
      age <= 4 * LOOP_SAMPLE_MS ? performance.eventLoopUtilization(elu, sample.elu).utilization > BUSY : null;
    lastSample.set((sample = { at, elu, busy }));
  }
  return sample.busy;
}
