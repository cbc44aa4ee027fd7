import { describe, expect, it } from "vitest";
import { freshDb } from "../support/db";

describe.skipIf(!!process.env.TEST_DATABASE_URL)("the SQLite database", () => {
  it("journals with WAL and syncs at checkpoints (writes on the event loop stay short)", async () => {
    const { db } = await freshDb();
    try {
      const [journal] = await db.$queryRawUnsafe<Array<{ journal_mode: string }>>("PRAGMA journal_mode");
      const [sync] = await db.$queryRawUnsafe<Array<{ synchronous: bigint }>>("PRAGMA synchronous");
      expect(journal!.journal_mode).toBe("wal");
      // 1: NORMAL (2, FULL, is SQLite's default and fsyncs every commit).
      expect(Number(sync!.synchronous)).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });

  it("lets the event loop turn before each query (a chain of awaited queries does not hold it)", async () => {
    const { db } = await freshDb();
    try {
      await db.setting.create({ data: { key: "k", value: "v" } });
      let turns = 0;
      let spinning = true;
      const spin = () => {
        if (!spinning) return;
        turns++;
        setImmediate(spin);
      };
      setImmediate(spin);
      for (let i = 0; i < 20; i++) await db.setting.findUnique({ where: { key: "k" } });
      await db.setting.update({ where: { key: "k" }, data: { value: "w" } });
      await db.$transaction([db.setting.findMany(), db.setting.count()]);
      spinning = false;
      // better-sqlite3 answers synchronously: without a turn per query the 22 queries run as one task.
      expect(turns).toBeGreaterThanOrEqual(20);
    } finally {
      await db.$disconnect();
    }
  });
});
