import { reloadValidatorToken } from "../auth/secrets";
import { chain } from "../chain";
import { warmVerifier } from "../crypto/verifier";
import { config } from "../env";
import { jobs } from "../jobs";
import { currentVersion, loadCurrentVersion, servedVersionId } from "../models";
import { phaseAt, schedule } from "../phases";
import { flushActivity } from "./activity";
import { MERGE_JOB } from "./merge";
import { validatorConfig } from "./config";

/** Loads the served model and, with the builtin evaluator, merges each round when Merge begins. */
export async function startValidator(): Promise<() => void> {
  await loadCurrentVersion();
  warmVerifier();
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
    validatorConfig().EVALUATOR === "builtin"
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
