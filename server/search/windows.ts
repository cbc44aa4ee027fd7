/**
 * A miner's scoring window, as upstream keeps it: the window's quality (the epoch's synthetic score with the
 * organic answers scored since the last window), its EMA, the pass gate and the verified-capacity ramp.
 */
import { db } from "../db";
import { QUALITY_THRESHOLDS, type QueryScore } from "./checks";
import type { Candidate } from "./miners";
import { SEARCH_TYPES, type SearchType } from "./protocol";

export const QUALITY_EMA_ALPHA = 0.5;
const HARD_CAP = 100;
const DEFAULT_PER_UID = 1;

/** Scores of a miner's organic answers since its last window, per type. */
async function organicScores(netuid: number, hotkey: string): Promise<Record<SearchType, number[]>> {
  const last = await db().searchWindow.findFirst({
    where: { netuid, hotkey },
    orderBy: { windowStart: "desc" },
    select: { windowStart: true },
  });
  const rows = await db().searchQuery.findMany({
    where: { netuid, hotkey, kind: "organic", score: { not: null }, at: { gt: last?.windowStart ?? new Date(0) } },
    select: { searchType: true, score: true },
  });
  const out = { web_search: [], x_search: [], ai_search: [] } as Record<SearchType, number[]>;
  for (const r of rows) out[r.searchType as SearchType]?.push(r.score!);
  return out;
}

/** Upstream's ramp: +10% of declared when every type passed, -10% otherwise, within [1, min(declared, 100)]. */
export function nextVerified(current: number, declared: number, allPass: boolean): number {
  const d = Math.max(declared, DEFAULT_PER_UID);
  if (allPass) return Math.min(current + Math.max(1, Math.floor(d * 0.1)), d, HARD_CAP);
  return Math.max(DEFAULT_PER_UID, current - Math.max(1, Math.floor(d * 0.1)));
}

function declaredOf(manifest: Record<string, unknown> | null | undefined, type: SearchType): number {
  const c = (manifest?.concurrency ?? {}) as Record<string, unknown>;
  const v = c[type];
  const n =
    typeof v === "number"
      ? v
      : v && typeof v === "object"
        ? Object.values(v).reduce<number>((a, x) => a + (typeof x === "number" ? x : 0), 0)
        : 0;
  return Math.max(0, Math.min(HARD_CAP, Math.floor(n)));
}

/** Closes a miner's window: its state per search type, and a window row each. */
export async function closeWindow(w: {
  netuid: number;
  miner: Candidate;
  reachable: boolean;
  manifest: Record<string, unknown> | null | undefined;
  scores: Record<SearchType, QueryScore>;
  windowStart: Date;
}): Promise<void> {
  const { netuid, miner: m, reachable, manifest, scores, windowStart } = w;
  const prev = new Map(
    (await db().searchMinerState.findMany({ where: { netuid, hotkey: m.axon.hotkey } })).map((s) => [s.searchType, s]),
  );
  // The window's quality: this epoch's synthetic score with the organic answers scored since the last window.
  const organic = await organicScores(netuid, m.axon.hotkey);
  const next = SEARCH_TYPES.map((type) => {
    const p = prev.get(type);
    const declared = declaredOf(manifest, type) || (p?.declared ?? 0);
    const extra = organic[type];
    const quality = (scores[type].score + extra.reduce((a, b) => a + b, 0)) / (1 + extra.length);
    const qualityAvg = (1 - QUALITY_EMA_ALPHA) * (p?.qualityAvg ?? 0) + QUALITY_EMA_ALPHA * quality;
    return {
      type,
      p,
      declared,
      quality,
      queries: 1 + extra.length,
      qualityAvg,
      passed: declared > 0 && qualityAvg >= QUALITY_THRESHOLDS[type],
    };
  });
  const allPass = next.every((n) => n.passed);
  for (const n of next) {
    const verified = nextVerified(n.p?.verified ?? DEFAULT_PER_UID, n.declared, allPass);
    const failedNow = scores[n.type].status !== 200;
    const data = {
      uid: m.uid,
      coldkey: m.coldkey,
      verified,
      declared: n.declared,
      qualityAvg: n.qualityAvg,
      failures: failedNow ? (n.p?.failures ?? 0) + 1 : 0,
      unreachableSince: reachable ? null : (n.p?.unreachableSince ?? windowStart),
    };
    await db().searchMinerState.upsert({
      where: { netuid_hotkey_searchType: { netuid, hotkey: m.axon.hotkey, searchType: n.type } },
      create: { netuid, hotkey: m.axon.hotkey, searchType: n.type, ...data },
      update: data,
    });
    await db().searchWindow.create({
      data: {
        netuid,
        hotkey: m.axon.hotkey,
        searchType: n.type,
        windowStart,
        qualityScore: n.quality,
        passed: n.passed,
        verifiedConcurrency: verified,
        queries: n.queries,
      },
    });
  }
}
