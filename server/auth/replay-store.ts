import { db, isUniqueViolation } from "../db";
import type { ReplayStore } from "../rest/auth";

let lastSweep = 0;

/**
 * Accepted signatures in the database: every instance on one database and a restarted one refuse a
 * signature already accepted. A unique key decides a race between instances; expired rows are swept.
 */
export const dbReplayStore: ReplayStore = {
  async claim(key, expiresAtMs) {
    const now = new Date();
    if (now.getTime() - lastSweep > 60_000) {
      lastSweep = now.getTime();
      await db().usedSignature.deleteMany({ where: { expiresAt: { lt: now } } });
    }
    try {
      await db().usedSignature.create({ data: { key, expiresAt: new Date(expiresAtMs) } });
      return true;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      // Taken: only an expired row may be taken over (by exactly one claimant).
      const { count } = await db().usedSignature.updateMany({
        where: { key, expiresAt: { lt: now } },
        data: { expiresAt: new Date(expiresAtMs) },
      });
      return count === 1;
    }
  },
};
