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
});
