import { db } from "../db";
import { config } from "../env";
import { lazy } from "../global";
import { PermanentError } from "../errors";
import { log } from "../log";
import type { ModuleJob } from "../module";
import { JobQueue } from "./queue";

export { JobQueue, retryDelayMs, insertJobsStatement, type NewJob } from "./queue";

/** The job queue of this process; the runtime parts' jobs are added by `defineJobs`. */
export const jobs = lazy(() => {
  const q = new JobQueue(db(), {
    pollMs: config().JOB_POLL_MS,
    onError: (kind, err) =>
      log.warn({ job: kind, err: err instanceof Error ? err.message : String(err) }, "job failed"),
    onDone: (kind, ms) => log.debug({ job: kind, ms }, "job done"),
  });
  return q;
});

/** Registers the parts' jobs; a stored payload that does not parse fails the job at once (no retry) with the schema's message. */
export function defineJobs(list: readonly ModuleJob<any>[]): void {
  for (const job of list) {
    jobs().define({
      kind: job.kind,
      leaseMs: job.leaseMs,
      deadlineMs: job.deadlineMs,
      lane: job.lane,
      everyMs: job.everyMs,
      run: async (payload, signal) => {
        const parsed = job.payload.safeParse(payload);
        if (!parsed.success)
          throw new PermanentError(
            `payload of ${job.kind}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "payload"} ${i.message}`).join("; ")}`,
          );
        await job.run(parsed.data, signal);
      },
    });
  }
}

/**
 * Makes sure every recurring job that is on has its one row (the kind is its unique key, so instances and
 * restarts share it): the first run after `firstRunAfterMs`, then every `everyMs` after each success.
 */
export async function scheduleRecurringJobs(list: readonly ModuleJob<any>[]): Promise<void> {
  for (const job of list) {
    if (!job.everyMs || job.enabled?.() === false) continue;
    const runAt = new Date(Date.now() + (job.firstRunAfterMs?.() ?? 0));
    await jobs().enqueue(job.kind, {}, { uniqueKey: job.kind, maxAttempts: 1_000_000, runAt });
  }
}
