import { consoleHotkey } from "../bittensor";
import { netuidOf } from "../env";
import { chain } from "../chain";
import { phaseAt, schedule } from "../phases";
import { currentWeights } from "./queries";
import { submitWeights, toU16Weights, weightsHistory, type WeightsCycle } from "../chain/weights";

export { toU16Weights };

export const SET_WEIGHTS_JOB = "weights.set";

/** Computes the weights of the current round and puts them on chain (SET_WEIGHTS). */
export async function setWeightsOnChain(): Promise<WeightsCycle> {
  const head = chain().head();
  const round = head === null ? 0 : phaseAt(head, schedule()).cycle_index;
  return submitWeights(
    "validator",
    netuidOf("validator"),
    consoleHotkey()!,
    await currentWeights(round),
    "no miner has points in the last 8 rounds",
  );
}

/** The validator's newest weights cycle, or null before the first. */
export async function lastWeights(): Promise<WeightsCycle | null> {
  return (await weightsHistory("validator", 1))[0] ?? null;
}
