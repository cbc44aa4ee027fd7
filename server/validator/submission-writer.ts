import { db, Prisma } from "../db";
import { ConflictError } from "../errors";
import { insertJobsStatement, type NewJob } from "../jobs/queue";

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
  /** When the request arrived: the earliest of equal scores gets the round's points. */
  createdAt: Date;
}

interface Pending {
  row: SubmissionRow;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export const EVALUATE_JOB = "submission.evaluate";
/**
 * How long the first submission of a batch waits for others. Flushing on the next tick gave batches of one
 * under a burst on a warm server (each request is parsed and verified before the next arrives), so 256
 * submissions cost 256 transactions; with 5 ms they come in batches of about five.
 */
const GATHER_MS = 5;
const DUPLICATE = "Duplicate submission for this hotkey + block";

const state = { queue: [] as Pending[], flushing: false };

const jobFor = (row: SubmissionRow): NewJob => ({
  kind: EVALUATE_JOB,
  payload: JSON.stringify({ submissionId: row.id }),
  uniqueKey: `submission:${row.id}`,
  maxAttempts: 3,
});

/**
 * Stores a submission and its evaluation job atomically. Submissions arriving together are written in
 * one transaction (group commit): a burst costs a few statements instead of a few per submission.
 * A second submission for the same hotkey and block is refused with a ConflictError, within a batch or
 * by the unique constraint (also against another instance writing at the same time).
 */
export function insertSubmission(row: SubmissionRow): Promise<void> {
  return new Promise((resolve, reject) => {
    state.queue.push({ row, resolve, reject });
    if (!state.flushing) {
      state.flushing = true;
      setTimeout(() => void flush(), GATHER_MS);
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
  // One statement for the whole batch; the unique (hotkey, blockNumber) constraint decides, even against
  // another instance writing at the same moment. Plain SQL that SQLite and Postgres both accept.
  const values = candidates.map(
    ({ row: r }) =>
      Prisma.sql`(${r.id}, ${r.hotkey}, ${r.uid}, ${r.expertGroup}, ${r.checkpointUrl}, ${r.blockNumber}, ${r.signature}, ${r.round}, ${r.versionId}, ${r.steps}, ${r.createdAt}, ${r.createdAt})`,
  );
  const inserted = await db().$transaction(async (tx) => {
    const rows = await tx.$queryRaw<Array<{ id: string }>>(
      Prisma.sql`INSERT INTO "Submission" ("id", "hotkey", "uid", "expertGroup", "checkpointUrl", "blockNumber", "signature", "round", "versionId", "steps", "createdAt", "updatedAt")
        VALUES ${Prisma.join(values)} ON CONFLICT ("hotkey", "blockNumber") DO NOTHING RETURNING "id"`,
    );
    const ids = new Set(rows.map((r) => r.id));
    const jobs = candidates.filter((p) => ids.has(p.row.id)).map((p) => jobFor(p.row));
    if (jobs.length) await tx.$executeRaw(insertJobsStatement(jobs));
    return ids;
  });
  for (const p of candidates) {
    if (inserted.has(p.row.id)) p.resolve();
    else p.reject(new ConflictError(DUPLICATE));
  }
}
