import { chain } from "../chain";
import { config } from "../env";
import { jobs } from "../jobs";
import { db } from "../db";
import { currentVersion, loadCurrentVersion } from "../models";
import { phaseAt, schedule } from "../phases";
import { MERGE_JOB } from "./merge";

/** Loads the served model and, with the builtin evaluator, merges each round when Merge begins. */
export async function startValidator(): Promise<() => void> {
  await loadCurrentVersion();
  // Versions published by another process (npm run model:publish, another instance) are served within 10 s.
  const poll = setInterval(() => {
    void db()
      .modelVersion.findFirst({ orderBy: { id: "desc" }, select: { id: true } })
      .then(async (newest) => {
        if (newest && newest.id !== currentVersion()?.id) await loadCurrentVersion();
      })
      .catch(() => undefined);
  }, 10_000);
  poll.unref();
  if (config().EVALUATOR !== "builtin") return () => clearInterval(poll);
  const off = chain().onHead(({ block }) => {
    const p = phaseAt(block, schedule());
    if (p.phase_name !== "Merge") return;
    void jobs().enqueue(MERGE_JOB, { round: p.cycle_index }, { uniqueKey: `merge:${p.cycle_index}`, maxAttempts: 3 });
  });
  return () => {
    clearInterval(poll);
    off();
  };
}
