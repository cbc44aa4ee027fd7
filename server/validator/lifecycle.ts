import { reloadValidatorToken } from "../auth/secrets";
import { chain } from "../chain";
import { warmVerifier } from "../crypto/verifier";
import { config } from "../env";
import { jobs } from "../jobs";
import { currentVersion, loadCurrentVersion, servedVersionId } from "../models";
import { phaseAt, schedule } from "../phases";
import { flushActivity } from "./activity";
import { MERGE_JOB } from "./merge";
import { SET_WEIGHTS_JOB } from "./weights";

/**
 * Loads the served model, schedules weight setting (SET_WEIGHTS=1) and, with the builtin evaluator,
 * merges each round when Merge begins.
 */
export async function startValidator(): Promise<() => void> {
  await loadCurrentVersion();
  warmVerifier();
  const c = config();
  if (c.SET_WEIGHTS) {
    const runAt = new Date(Date.now() + c.WEIGHTS_INTERVAL_BLOCKS * c.BLOCK_TIME_MS);
    await jobs().enqueue(SET_WEIGHTS_JOB, {}, { uniqueKey: SET_WEIGHTS_JOB, maxAttempts: 1_000_000, runAt });
  }
  // Versions published or chosen (and miner tokens rotated) by another process (npm run model:publish, another instance) are served within 10 s.
  const poll = setInterval(() => {
    void servedVersionId()
      .then(async (id) => {
        if (id !== null && id !== currentVersion()?.id) await loadCurrentVersion();
      })
      .catch(() => undefined);
    void reloadValidatorToken().catch(() => undefined);
  }, 10_000);
  poll.unref();
  const off =
    config().EVALUATOR === "builtin"
      ? chain().onHead(({ block }) => {
          const p = phaseAt(block, schedule());
          if (p.phase_name !== "Merge") return;
          void jobs().enqueue(
            MERGE_JOB,
            { round: p.cycle_index },
            { uniqueKey: `merge:${p.cycle_index}`, maxAttempts: 3 },
          );
        })
      : () => undefined;
  return async () => {
    clearInterval(poll);
    off();
    await flushActivity();
  };
}
