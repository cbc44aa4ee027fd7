import { chain } from "../chain";
import { config } from "../env";
import { jobs } from "../jobs";
import { loadCurrentVersion } from "../models";
import { phaseAt, schedule } from "../phases";
import { MERGE_JOB } from "./merge";

/** Loads the served model and, with the builtin evaluator, merges each round when Merge begins. */
export async function startValidator(): Promise<() => void> {
  await loadCurrentVersion();
  if (config().EVALUATOR !== "builtin") return () => undefined;
  return chain().onHead(({ block }) => {
    const p = phaseAt(block, schedule());
    if (p.phase_name !== "Merge") return;
    void jobs().enqueue(MERGE_JOB, { round: p.cycle_index }, { uniqueKey: `merge:${p.cycle_index}`, maxAttempts: 3 });
  });
}
