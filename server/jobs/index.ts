import { MINER_PING, pingMiners } from "../bittensor/ping";
import { refreshMetagraph } from "../chain";
import { db } from "../db";
import { config } from "../env";
import { lazy } from "../global";
import { log } from "../log";
import type { ModuleJob } from "../module";
import { JobQueue } from "./queue";

export { JobQueue, retryDelayMs, insertJobsStatement, type NewJob } from "./queue";

export const METAGRAPH_REFRESH = "chain.metagraph.refresh";

/** The job queue of this process, with the runtime's own jobs; modules' jobs are added by `defineJobs`. */
export const jobs = lazy(() => {
  const q = new JobQueue(db(), {
    pollMs: config().JOB_POLL_MS,
    onError: (kind, err) =>
      log.warn({ job: kind, err: err instanceof Error ? err.message : String(err) }, "job failed"),
    onDone: (kind, ms) => log.debug({ job: kind, ms }, "job done"),
  });
  q.define({
    kind: METAGRAPH_REFRESH,
    everyMs: () => config().METAGRAPH_REFRESH_S * 1000,
    run: async () => {
      const r = await refreshMetagraph();
      log.info(r, "metagraph refreshed");
    },
  });
  q.define({
    kind: MINER_PING,
    everyMs: () => config().MINER_PING_S * 1000,
    run: async () => void (await pingMiners()),
  });
  return q;
});

/** Registers module jobs; a stored payload that does not parse fails the job with the schema's message. */
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
          throw new Error(
            `payload of ${job.kind}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "payload"} ${i.message}`).join("; ")}`,
          );
        await job.run(parsed.data, signal);
      },
    });
  }
}

/** Makes sure every recurring job of the runtime has its row (a unique key keeps it to one). */
export async function scheduleRecurringJobs(): Promise<void> {
  await jobs().enqueue(METAGRAPH_REFRESH, {}, { uniqueKey: METAGRAPH_REFRESH, maxAttempts: 1_000_000 });
  await jobs().enqueue(MINER_PING, {}, { uniqueKey: MINER_PING, maxAttempts: 1_000_000 });
}
