import { refreshMetagraph } from "../chain";
import { db } from "../db";
import { config } from "../env";
import { processSingleton } from "../global";
import { log } from "../log";
import { JobQueue } from "./queue";
import { EVALUATE_JOB } from "../validator/submissions";
import { evaluateSubmission } from "../validator/pipeline";
import { MERGE_JOB, mergeRound } from "../validator/merge";
import { SET_WEIGHTS_JOB, setWeightsOnChain } from "../validator/weights";

export { JobQueue, retryDelayMs, insertJobsStatement, type NewJob } from "./queue";

export const METAGRAPH_REFRESH = "chain.metagraph.refresh";

export function jobs(): JobQueue {
  return processSingleton("jobs", () => {
    const q = new JobQueue(db(), {
      pollMs: config().JOB_POLL_MS,
      onError: (kind, err) => log.warn({ job: kind, err: err instanceof Error ? err.message : String(err) }, "job failed"),
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
    q.define({ kind: EVALUATE_JOB, leaseMs: 120_000, run: async (p) => evaluateSubmission((p as { submissionId: string }).submissionId) });
    q.define({ kind: MERGE_JOB, leaseMs: 120_000, run: async (p) => void (await mergeRound((p as { round: number }).round)) });
    q.define({ kind: SET_WEIGHTS_JOB, everyMs: () => config().WEIGHTS_INTERVAL_BLOCKS * config().BLOCK_TIME_MS, run: async () => void (await setWeightsOnChain()) });
    return q;
  });
}

/** Makes sure every recurring job has its row (a unique key keeps it to one). */
export async function scheduleRecurringJobs(): Promise<void> {
  await jobs().enqueue(METAGRAPH_REFRESH, {}, { uniqueKey: METAGRAPH_REFRESH, maxAttempts: 1_000_000 });
  if (config().SET_WEIGHTS && config().ROLES.includes("validator")) {
    await jobs().enqueue(SET_WEIGHTS_JOB, {}, { uniqueKey: SET_WEIGHTS_JOB, maxAttempts: 1_000_000, runAt: new Date(Date.now() + config().WEIGHTS_INTERVAL_BLOCKS * config().BLOCK_TIME_MS) });
  }
}
