import { consoleHotkey } from "../bittensor/identity";
import { netuidOf } from "../env";
import { chain } from "../chain";
import { db } from "../db";
import { log } from "../log";
import { phaseAt, schedule } from "../phases";
import { currentWeights } from "./queries";
import type { WeightsResult } from "../chain/types";
import { toU16Weights } from "../chain/weights";

export { toU16Weights };

export const SET_WEIGHTS_JOB = "weights.set";
const LAST_KEY = "weights.last";

export type LastWeights = WeightsResult & { at: string; block: number | null; uids: number[] };

/** Computes the weights of the current round and sets them on chain (SET_WEIGHTS=1). */
export async function setWeightsOnChain(): Promise<LastWeights> {
  const head = chain().head();
  const round = head === null ? 0 : phaseAt(head, schedule()).cycle_index;
  const { uids, weights } = toU16Weights(await currentWeights(round));
  const c = chain();
  let result: WeightsResult;
  if (!c.setWeights) result = { status: "skipped", reason: "the simulated chain has no weights to set" };
  else if (uids.length === 0) result = { status: "skipped", reason: "no miner has points in the last 8 rounds" };
  else {
    result = await c.setWeights(consoleHotkey()!, netuidOf("validator"), uids, weights);
  }
  const last: LastWeights = { ...result, at: new Date().toISOString(), block: head, uids };
  const value = JSON.stringify(last);
  await db().setting.upsert({ where: { key: LAST_KEY }, create: { key: LAST_KEY, value }, update: { value } });
  log.info(last, "set weights");
  return last;
}

export async function lastWeights(): Promise<LastWeights | null> {
  const row = await db().setting.findUnique({ where: { key: LAST_KEY } });
  return row ? (JSON.parse(row.value) as LastWeights) : null;
}
