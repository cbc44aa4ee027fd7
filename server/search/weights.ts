/**
 * Search weights (SET_WEIGHTS=1), from the miner state as upstream computes them: per search type a pool
 * share (ai_search 0.8, x_search 0.1, web_search 0.1), split within the pool by gate x quality^3 x verified^2
 * (the gate: the type's quality passed its threshold); set on the search subnet with the validator's path.
 */
import { listNeurons } from "../chain";
import { submitWeights, type WeightsCycle } from "../chain/weights";
import { consoleHotkey } from "../bittensor";
import { db } from "../db";
import { netuidOf } from "../env";
import { SEARCH_TYPES, type SearchType } from "./protocol";
import { QUALITY_THRESHOLDS } from "./checks";

export const SEARCH_WEIGHTS_JOB = "search.weights";
export const POOL_SHARES: Record<SearchType, number> = { ai_search: 0.8, x_search: 0.1, web_search: 0.1 };

/** Weight per uid (summing to at most 1). */
export async function searchWeights(): Promise<Map<number, number>> {
  const netuid = netuidOf("search");
  const [states, neurons] = await Promise.all([
    db().searchMinerState.findMany({ where: { netuid } }),
    listNeurons(netuid),
  ]);
  const uidOf = new Map(neurons.map((n) => [n.hotkey, n.uid]));
  const out = new Map<number, number>();
  for (const type of SEARCH_TYPES) {
    const raw = states
      .filter((s) => s.searchType === type && uidOf.has(s.hotkey) && !s.unreachableSince)
      .map((s) => ({
        uid: uidOf.get(s.hotkey)!,
        w:
          (s.declared > 0 && s.qualityAvg >= QUALITY_THRESHOLDS[type] ? 1 : 0) *
          s.qualityAvg ** 3 *
          Math.max(s.verified, 1) ** 2,
      }));
    const total = raw.reduce((a, r) => a + r.w, 0);
    if (total <= 0) continue;
    for (const r of raw) out.set(r.uid, (out.get(r.uid) ?? 0) + (POOL_SHARES[type] * r.w) / total);
  }
  return out;
}

export async function setSearchWeights(): Promise<WeightsCycle> {
  return submitWeights(
    "search",
    netuidOf("search"),
    consoleHotkey()!,
    await searchWeights(),
    "no search miner passes its gate",
  );
}
