/**
 * The scoring epoch (hourly upstream; SEARCH_EPOCH_S): every search miner is asked IsAlive (its declared
 * concurrency), then gets one synthetic query per search type, checked as upstream checks them without a
 * language model: status, schema, count, duplicates, date filter, query words, and truthfulness of a sample
 * re-fetched from the source it claims (SourceFetcher: the devnet's corpus, or SEARCH_SCORER_CMD). Then the
 * quality EMA, the pass gate and the verified-capacity ramp, as upstream.
 */
import { z } from "zod";
import { listNeurons } from "../chain";
import { defineSynapse, type CallResult } from "../bittensor";
import { consoleHotkey } from "../bittensor/identity";
import { axonOf } from "../bittensor/ping";
import { db } from "../db";
import { netuidOf } from "../env";
import { lazy } from "../global";
import { log } from "../log";
import {
  checkLink,
  checkTweet,
  fetcher,
  pick,
  QUALITY_THRESHOLDS,
  scoreAiAnswer,
  timingReward,
  type QueryScore,
  type SourceFetcher,
  type StreamOutcome,
} from "./checks";
import { candidateCache, requireSearchDendrite, searchTimeoutS, type Candidate } from "./miners";
import { flushQueries, recordQuery, searchObjects, streamFields } from "./organic";
import {
  SEARCH_TYPES,
  tweetSchema,
  TwitterSearchSynapse,
  validItems,
  webResultSchema,
  WebSearchSynapse,
  type SearchType,
  type Tweet,
  type WebResult,
} from "./protocol";
import { WEB_TIMEOUT_S, X_TIMEOUT_S } from "./x-web";

export const QUALITY_EMA_ALPHA = 0.5;
const HARD_CAP = 100;
const DEFAULT_PER_UID = 1;

/** Upstream's liveness synapse; `manifest.concurrency` declares what the miner can serve per search type. */
export const IsAliveSynapse = defineSynapse({
  name: "IsAlive",
  request: { answer: z.string().nullable().default(null), completion: z.string().default("") },
  response: { manifest: z.record(z.string(), z.unknown()).nullable().optional() },
});

/** Synthetic queries as upstream mixes them: 20% from:<account>, 15% $cashtag, 15% #hashtag, 50% a topic. */
export function syntheticQuery(topics: string[], accounts: string[], random = Math.random): string {
  const any = (l: string[]) => l[Math.floor(random() * l.length)] ?? "search";
  const x = random();
  if (x < 0.2 && accounts.length) return `from:${any(accounts)}`;
  if (x < 0.35) return `$${any(topics).toUpperCase().slice(0, 5)}`;
  if (x < 0.5 && accounts.length) return `#${any(accounts)}`;
  return any(topics);
}

/** Web and AI search queries: a topic. */
export function topicQuery(topics: string[], random = Math.random): string {
  return topics[Math.floor(random() * topics.length)] ?? "search";
}

async function scoreX(miner: Candidate, query: string, f: SourceFetcher | null): Promise<QueryScore> {
  const since = Date.now() - 7 * 86_400_000;
  const r: CallResult<typeof TwitterSearchSynapse> = await requireSearchDendrite().call(
    miner.axon,
    TwitterSearchSynapse,
    TwitterSearchSynapse.request.parse({
      query,
      count: 10,
      start_date: new Date(since).toISOString(),
      max_execution_time: X_TIMEOUT_S,
    }),
    { timeout: X_TIMEOUT_S },
  );
  const latencyMs = r.latencyMs ?? X_TIMEOUT_S * 1000;
  if (r.status !== 200) return { score: 0, reason: `${r.status} ${r.message}`, status: r.status, latencyMs, items: 0 };
  const raw = (r.response?.results ?? []) as unknown[];
  const tweets = validItems<Tweet>(raw, tweetSchema);
  const base = { status: 200, latencyMs, items: tweets.length };
  // Cashtag queries may rightly find nothing on a small corpus: an empty answer then scores on timing only.
  if (!tweets.length)
    return {
      ...base,
      score: query.startsWith("$") ? 0.3 * timingReward(latencyMs / 1000, "x_search", X_TIMEOUT_S) : 0,
      reason: "no results",
    };
  if (tweets.length < raw.length) return { ...base, score: 0, reason: "results that do not fit the tweet schema" };
  if (new Set(tweets.map((t) => t.id)).size < tweets.length) return { ...base, score: 0, reason: "duplicate tweets" };
  let content = 1;
  let reason = "";
  if (f) {
    const c = await checkTweet(pick(tweets, 1)[0], query, since, f);
    content = c.score;
    reason = c.failed.join(", ");
  } else reason = "truthfulness not checked (no source fetcher)";
  const timing = timingReward(latencyMs / 1000, "x_search", X_TIMEOUT_S);
  return {
    ...base,
    score: 0.7 * content + 0.3 * timing,
    reason: timing === 0 ? [reason, "implausibly fast or too slow"].filter(Boolean).join("; ") : reason,
  };
}

async function scoreWeb(miner: Candidate, query: string, f: SourceFetcher | null): Promise<QueryScore> {
  const r = await requireSearchDendrite().call(
    miner.axon,
    WebSearchSynapse,
    { query, num: 10, start: 0, max_execution_time: WEB_TIMEOUT_S },
    { timeout: WEB_TIMEOUT_S },
  );
  const latencyMs = r.latencyMs ?? WEB_TIMEOUT_S * 1000;
  if (r.status !== 200) return { score: 0, reason: `${r.status} ${r.message}`, status: r.status, latencyMs, items: 0 };
  const raw = (r.response?.results ?? []) as unknown[];
  const results = validItems<WebResult>(raw, webResultSchema);
  const base = { status: 200, latencyMs, items: results.length };
  if (!results.length) return { ...base, score: 0, reason: "no results" };
  if (results.length < raw.length) return { ...base, score: 0, reason: "results that do not fit the schema" };
  if (new Set(results.map((x) => x.link)).size < results.length)
    return { ...base, score: 0, reason: "duplicate links" };
  let content = 1;
  let reason = "";
  if (f) {
    const c = await checkLink(pick(results, 1)[0], query, f);
    content = c.score;
    reason = c.failed.join(", ");
  } else reason = "truthfulness not checked (no source fetcher)";
  const timing = timingReward(latencyMs / 1000, "web_search", WEB_TIMEOUT_S);
  return { ...base, score: 0.7 * content + 0.3 * timing, reason };
}

async function scoreAi(miner: Candidate, query: string, f: SourceFetcher | null): Promise<QueryScore> {
  const fields = streamFields({
    prompt: query,
    tools: ["Twitter Search", "Web Search"],
    count: 10,
    date_filter: "PAST_MONTH",
  });
  const timeoutS = searchTimeoutS(10, "NOVA");
  let outcome: StreamOutcome | null = null;
  const abort = new AbortController();
  try {
    for await (const _ of searchObjects(fields, abort.signal, (o) => (outcome = o), miner)) {
      // collected in the outcome
    }
  } catch {
    // the outcome says why
  }
  return scoreAiAnswer(outcome, query, timeoutS, f);
}

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

/** One epoch over every serving search miner. */
export async function scoringEpoch(
  now = new Date(),
  topics: () => { topics: string[]; accounts: string[] } = defaultTopics,
): Promise<{ miners: number; queries: number }> {
  const netuid = netuidOf("search");
  // Organic answers recorded so far count in this epoch's windows.
  await flushQueries();
  const me = consoleHotkey()?.address;
  const neurons = (await listNeurons(netuid)).filter((n) => !n.validatorPermit && n.hotkey !== me && axonOf(n));
  const miners: Candidate[] = neurons.map((n) => ({ axon: axonOf(n)!, uid: n.uid, coldkey: n.coldkey, weight: 0 }));
  const alive = await requireSearchDendrite().forward(
    miners.map((m) => m.axon),
    IsAliveSynapse,
    { answer: null, completion: "" },
    { timeout: 5, concurrency: 32 },
  );
  const f = fetcher();
  const { topics: words_, accounts } = topics();
  let queries = 0;
  const windowStart = now;
  // A search miner is one that has answered IsAlive once: other axons on a shared subnet (another role's
  // miners) get no state. A known miner that stops answering is marked unreachable.
  const known = new Set(
    (await db().searchMinerState.findMany({ where: { netuid }, select: { hotkey: true } })).map((r) => r.hotkey),
  );
  const work = miners
    .flatMap((m, i) => (alive[i].status === 200 || known.has(m.axon.hotkey) ? [{ m, i }] : []))
    .map(({ m, i }) => async () => {
      const reachable = alive[i].status === 200;
      const manifest = alive[i].response?.manifest ?? null;
      const scores: Record<SearchType, QueryScore> = {} as Record<SearchType, QueryScore>;
      for (const type of SEARCH_TYPES) {
        const query = type === "x_search" ? syntheticQuery(words_, accounts) : topicQuery(words_);
        const s: QueryScore = !reachable
          ? {
              score: 0,
              reason: `unreachable: ${alive[i].status} ${alive[i].message}`,
              status: alive[i].status,
              latencyMs: 0,
              items: 0,
            }
          : await (type === "x_search" ? scoreX : type === "web_search" ? scoreWeb : scoreAi)(m, query, f).catch(
              (e) => ({
                score: 0,
                reason: (e as Error).message,
                status: 500,
                latencyMs: 0,
                items: 0,
              }),
            );
        scores[type] = s;
        queries++;
        recordQuery({
          kind: "synthetic",
          searchType: type,
          route: type,
          prompt: query,
          outcome: {
            hotkey: m.axon.hotkey,
            status: s.status,
            message: s.reason,
            latencyMs: s.latencyMs,
            items: s.items,
          },
          score: s.score,
          reason: s.reason,
        });
      }
      const prev = new Map(
        (await db().searchMinerState.findMany({ where: { netuid, hotkey: m.axon.hotkey } })).map((s) => [
          s.searchType,
          s,
        ]),
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
          unreachableSince: reachable ? null : (n.p?.unreachableSince ?? now),
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
    });
  // A few miners at once: each runs its three queries in turn.
  const queue = [...work];
  await Promise.all(
    Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await job();
    }),
  );
  // Upstream's retention: windows older than 72 h go.
  await db().searchWindow.deleteMany({
    where: { netuid, windowStart: { lt: new Date(now.getTime() - 72 * 3_600_000) } },
  });
  candidateCache().invalidate();
  log.info({ miners: work.length, queries }, "search: scoring epoch done");
  return { miners: work.length, queries };
}

/** Topics for synthetic queries when no corpus is registered: generic subjects. */
const topicSlot = lazy<() => { topics: string[]; accounts: string[] }>(() => () => ({
  topics: ["bittensor", "decentralized search", "open source", "javascript", "database", "machine learning"],
  accounts: [],
}));
export function setSyntheticTopics(f: () => { topics: string[]; accounts: string[] }): void {
  topicSlot.set(f);
}
function defaultTopics() {
  return topicSlot()();
}
