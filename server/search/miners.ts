/**
 * Which search miner answers a query (upstream's rule: one miner, chosen at random, weighted by
 * max(quality, 0.1)^3 * max(verified, 1)^2 for the query's search type; unreachable miners get 0) and the
 * console's dendrite for them (many sockets per miner: organic streams run side by side).
 */
import { listNeurons } from "../chain";
import { axonOf, consoleHotkey, requireDendrite, streamDendrite, type AxonInfo } from "../bittensor";
import { db } from "../db";
import { config, netuidOf } from "../env";
import { lazy } from "../global";
import { loadedCache, type LoadedCache } from "../cache";
import type { SearchType } from "./protocol";

/** Search's calls go through the console's streaming dendrite (organic streams run side by side). */
export const requireSearchDendrite = () => requireDendrite(streamDendrite());

export interface Candidate {
  axon: AxonInfo;
  uid: number;
  coldkey: string;
  weight: number;
}

/** Upstream's routing weight. */
export function routingWeight(s: { qualityAvg: number; verified: number; unreachableSince: Date | null }): number {
  if (s.unreachableSince) return 0;
  return Math.max(s.qualityAvg, 0.1) ** 3 * Math.max(s.verified, 1) ** 2;
}

/** The candidate lists, kept for 2 s (every organic query reads them); a scoring epoch invalidates them. */
export const candidateCache = lazy(() => {
  const caches = new Map<SearchType, LoadedCache<Candidate[]>>();
  return {
    get: (type: SearchType) =>
      (
        caches.get(type) ??
        caches
          .set(
            type,
            loadedCache(2000, () => loadCandidates(type)),
          )
          .get(type)!
      ).get(),
    invalidate: () => caches.forEach((c) => c.invalidate()),
  };
});

export async function candidates(type: SearchType): Promise<Candidate[]> {
  const list = await candidateCache().get(type);
  // An empty subnet is not kept: miners registered a moment later are found at the next query.
  if (!list.length) candidateCache().invalidate();
  return list;
}

/** The serving search miners (not validators, not this console) and their weights for `type`. */
async function loadCandidates(type: SearchType): Promise<Candidate[]> {
  const netuid = netuidOf("search");
  const me = consoleHotkey()?.address;
  const [neurons, states] = await Promise.all([
    listNeurons(netuid),
    db().searchMinerState.findMany({ where: { netuid, searchType: type } }),
  ]);
  const byHotkey = new Map(states.map((s) => [s.hotkey, s]));
  const out: Candidate[] = [];
  for (const n of neurons) {
    const axon = axonOf(n);
    if (!axon || n.validatorPermit || n.hotkey === me) continue;
    const s = byHotkey.get(n.hotkey);
    // Once miners are scored, queries go to scored miners only (others on the subnet may serve another role).
    if (!s && states.length) continue;
    // Not scored yet: the weight of a fresh miner (quality 0, one verified slot).
    const weight = s ? routingWeight(s) : routingWeight({ qualityAvg: 0, verified: 1, unreachableSince: null });
    out.push({ axon, uid: n.uid, coldkey: n.coldkey, weight });
  }
  return out;
}

/** Index picked with probability weight / sum (null when every weight is 0). `random` in [0, 1). */
export function weightedPick(weights: number[], random = Math.random()): number | null {
  const total = weights.reduce((a, w) => a + (w > 0 ? w : 0), 0);
  if (!(total > 0)) return null;
  let x = random * total;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] <= 0) continue;
    x -= weights[i];
    if (x < 0) return i;
  }
  return weights.findLastIndex((w) => w > 0);
}

/** One miner for a query, never one of `exclude`; null when none can answer. */
export async function chooseMiner(type: SearchType, exclude: string[] = []): Promise<Candidate | null> {
  const list = (await candidates(type)).filter((c) => !exclude.includes(c.axon.hotkey));
  const i = weightedPick(list.map((c) => c.weight));
  return i === null ? null : list[i];
}

/** Upstream's time limit of an AI search: about 15 s at 20 results, 30 s at 200; longer for the larger models. */
export function searchTimeoutS(count: number, model: string | null | undefined): number {
  const byCount = 15 + (Math.max(0, Math.min(count, 200) - 20) * 15) / 180;
  const byModel = model === "HORIZON" ? 1.5 : model === "ORBIT" ? 1.25 : 1;
  return Math.round(byCount * byModel);
}
