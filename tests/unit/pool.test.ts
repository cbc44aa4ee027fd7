/**
 * mapPool: results in order, the concurrency bound, and background pools that give the event loop back: while the
 * loop is busy (the API under load) only the first worker goes on, and the work still ends.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { mapPool } from "@/server/pool";

/** Keeps the event loop busy ~90% of the time (9 ms of work, 1 ms of room) until `stop` resolves. */
function busyLoop(until: Promise<unknown>) {
  let done = false;
  void until.then(() => (done = true));
  const burn = () => {
    const end = performance.now() + 9;
    while (performance.now() < end);
    if (!done) setTimeout(burn, 1);
  };
  burn();
}

describe("mapPool", () => {
  it("keeps the items' order and at most `concurrency` tasks at once", async () => {
    let running = 0;
    let most = 0;
    const out = await mapPool([5, 1, 3, 2, 4], 2, async (x) => {
      most = Math.max(most, ++running);
      await sleep(x * 5);
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(most).toBe(2);
  });

  it("a background pool runs one task at a time while the event loop is busy, all of them when it has room", async () => {
    const track = () => {
      const s = { running: 0, most: 0 };
      const task = async (_: number, __: number, room: () => Promise<void>) => {
        s.most = Math.max(s.most, ++s.running);
        await room();
        await sleep(20);
        s.running--;
      };
      return { s, task };
    };
    const idle = track();
    await mapPool(
      Array.from({ length: 8 }, (_, i) => i),
      4,
      idle.task,
      { background: true },
    );
    expect(idle.s.most).toBe(4);

    const busy = track();
    await sleep(150); // the idle pool's last sample ages out
    let release!: () => void;
    busyLoop(new Promise<void>((r) => (release = r)));
    await sleep(250); // a sample of the busy loop
    const t = performance.now();
    await mapPool(
      Array.from({ length: 8 }, (_, i) => i),
      4,
      busy.task,
      { background: true },
    );
    release();
    expect(busy.s.most).toBe(1);
    expect(performance.now() - t).toBeLessThan(5_000); // the first worker went on: the work ended
  });
});
