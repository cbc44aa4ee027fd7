import { db, isUniqueViolation } from "../db";
import { ConflictError } from "../errors";
import { processSingleton } from "../global";

export interface SubmissionRow {
  id: string;
  hotkey: string;
  uid: number;
  expertGroup: number;
  checkpointUrl: string;
  blockNumber: number;
  signature: string;
  round: number;
  versionId: number;
  steps: string;
}

interface Pending {
  row: SubmissionRow;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export const EVALUATE_JOB = "submission.evaluate";
const DUPLICATE = "Duplicate submission for this hotkey + block";

const state = processSingleton("submission-writer", () => ({ queue: [] as Pending[], flushing: false }));

const jobFor = (row: SubmissionRow) => ({ kind: EVALUATE_JOB, payload: JSON.stringify({ submissionId: row.id }), uniqueKey: `submission:${row.id}`, maxAttempts: 3 });

/**
 * Stores a submission and its evaluation job atomically. Submissions arriving together are written in
 * one transaction (group commit): a burst costs a few statements instead of a few per submission.
 * A second submission for the same hotkey and block is refused with a ConflictError, within a batch,
 * against the database, and (should another instance race) by the unique constraint itself.
 */
export function insertSubmission(row: SubmissionRow): Promise<void> {
  return new Promise((resolve, reject) => {
    state.queue.push({ row, resolve, reject });
    if (!state.flushing) {
      state.flushing = true;
      setImmediate(() => void flush());
    }
  });
}

async function flush(): Promise<void> {
  while (state.queue.length) {
    const batch = state.queue.splice(0, 500);
    try {
      await writeBatch(batch);
    } catch (e) {
      for (const p of batch) p.reject(e);
    }
  }
  state.flushing = false;
}

async function writeBatch(batch: Pending[]): Promise<void> {
  const firsts = new Map<string, Pending>();
  for (const p of batch) {
    const key = `${p.row.hotkey}:${p.row.blockNumber}`;
    if (firsts.has(key)) p.reject(new ConflictError(DUPLICATE));
    else firsts.set(key, p);
  }
  const candidates = [...firsts.values()];
  const existing = await db().submission.findMany({
    where: { OR: candidates.map((p) => ({ hotkey: p.row.hotkey, blockNumber: p.row.blockNumber })) },
    select: { hotkey: true, blockNumber: true },
  });
  const taken = new Set(existing.map((e) => `${e.hotkey}:${e.blockNumber}`));
  const fresh = candidates.filter((p) => {
    if (!taken.has(`${p.row.hotkey}:${p.row.blockNumber}`)) return true;
    p.reject(new ConflictError(DUPLICATE));
    return false;
  });
  if (fresh.length === 0) return;
  try {
    await db().$transaction([db().submission.createMany({ data: fresh.map((p) => p.row) }), db().job.createMany({ data: fresh.map((p) => jobFor(p.row)) })]);
    for (const p of fresh) p.resolve();
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // Another instance wrote one of these meanwhile: one at a time, so each gets its own answer.
    for (const p of fresh) {
      try {
        await db().$transaction([db().submission.create({ data: p.row }), db().job.create({ data: jobFor(p.row) })]);
        p.resolve();
      } catch (err) {
        p.reject(isUniqueViolation(err) ? new ConflictError(DUPLICATE) : err);
      }
    }
  }
}
