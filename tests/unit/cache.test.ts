import { describe, expect, it } from "vitest";
import { loadedCache } from "@/server/cache";

describe("loadedCache", () => {
  it("loads once for a burst of callers on a cold cache", async () => {
    let loads = 0;
    const c = loadedCache(60_000, async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return loads;
    });
    const values = await Promise.all(Array.from({ length: 256 }, () => c.get()));
    expect(loads).toBe(1);
    expect(new Set(values)).toEqual(new Set([1]));
    expect(await c.get()).toBe(1);
  });

  it("reloads after invalidate, and never keeps a value loaded before the invalidation", async () => {
    let n = 0;
    let release!: () => void;
    const c = loadedCache(60_000, async () => {
      const mine = ++n;
      if (mine === 1) await new Promise<void>((r) => (release = r));
      return mine;
    });
    const stale = c.get();
    c.invalidate();
    expect(await c.get()).toBe(2);
    release();
    expect(await stale).toBe(1);
    expect(await c.get()).toBe(2);
  });

  it("reloads once the value is older than the TTL", async () => {
    let n = 0;
    const c = loadedCache(20, async () => ++n);
    expect(await c.get()).toBe(1);
    expect(await c.get()).toBe(1);
    await new Promise((r) => setTimeout(r, 30));
    expect(await c.get()).toBe(2);
  });

  it("lets the next caller retry after a failed load", async () => {
    let n = 0;
    const c = loadedCache(60_000, async () => {
      if (++n === 1) throw new Error("database away");
      return n;
    });
    await expect(c.get()).rejects.toThrow("database away");
    expect(await c.get()).toBe(2);
  });
});
