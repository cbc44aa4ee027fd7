/**
 * The scoring epoch (hourly upstream; SEARCH_EPOCH_S): every search miner is asked IsAlive (its declared
 * concurrency), then gets one synthetic query per search type, checked as upstream checks them without a
 * language model: status, schema, count, duplicates, date filter, query words, and truthfulness of a sample
 * re-fetched from the source it claims (SourceFetcher: the devnet's corpus, or SEARCH_SCORER_CMD). Then the
 * quality EMA, the pass gate and the verified-capacity ramp, as upstream.
 */
import { spawn } from "node:child_process";
import { listNeurons } from "../chain";
import { defineSynapse, type CallResult } from "../bittensor";
import { consoleHotkey } from "../bittensor/identity";
import { axonOf } from "../bittensor/ping";
import { db } from "../db";
import { config, netuidOf } from "../env";
import { lazy } from "../global";
import { log } from "../log";
import { z } from "zod";
import { candidateCache, requireSearchDendrite, searchTimeoutS, type Candidate } from "./miners";
import { recordQuery, searchObjects, streamFields, type StreamOutcome } from "./organic";
import {
  SEARCH_TYPES,
  tweetSchema,
  TwitterSearchSynapse,
  webResultSchema,
  WebSearchSynapse,
  type SearchType,
  type Tweet,
  type WebResult,
} from "./protocol";
import { validItems, WEB_TIMEOUT_S, X_TIMEOUT_S } from "./x-web";

/** Upstream's liveness synapse; `manifest.concurrency` declares what the miner can serve per search type. */
export const IsAliveSynapse = defineSynapse({
  name: "IsAlive",
  request: { answer: z.string().nullable().default(null), completion: z.string().default("") },
  response: { manifest: z.record(z.string(), z.unknown()).nullable().optional() },
});

export const QUALITY_THRESHOLDS: Record<SearchType, number> = { ai_search: 0.5, x_search: 0.6, web_search: 0.6 };
export const QUALITY_EMA_ALPHA = 0.5;
const HARD_CAP = 100;
const DEFAULT_PER_UID = 1;
/** Minimum plausible and target latency (seconds) per type. */
export const TIMING: Record<SearchType, { min: number; target: number }> = {
  x_search: { min: 1, target: 3 },
  web_search: { min: 0.7, target: 2 },
  ai_search: { min: 5, target: 10 },
};

/** Where sampled items are re-fetched from: the source they claim. */
export interface SourceFetcher {
  tweet(id: string): Promise<Tweet | null>;
  page(link: string): Promise<{ link: string; title: string; text: string } | null>;
}
const fetcherSlot = lazy<SourceFetcher | null>(() => null);
/** The devnet registers its corpus here. */
export function setSourceFetcher(f: SourceFetcher | null): void {
  fetcherSlot.set(f);
}

/** SEARCH_SCORER_CMD: one JSON request on stdin ({kind: "tweet", id} or {kind: "page", link}), JSON or null out. */
function commandFetcher(cmd: string): SourceFetcher {
  const run = (request: unknown) =>
    new Promise<unknown>((resolve) => {
      const child = spawn("sh", ["-c", cmd], { stdio: ["pipe", "pipe", "ignore"] });
      let out = "";
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.length > 1_000_000) child.kill("SIGKILL");
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        try {
          resolve(code === 0 ? JSON.parse(out) : null);
        } catch {
          resolve(null);
        }
      });
      child.on("error", () => resolve(null));
      child.stdin.end(JSON.stringify(request));
    });
  const page = z.object({ link: z.string(), title: z.string(), text: z.string() });
  return {
    tweet: async (id) => {
      const r = tweetSchema.safeParse(await run({ kind: "tweet", id }));
      return r.success ? r.data : null;
    },
    page: async (link) => {
      const r = page.safeParse(await run({ kind: "page", link }));
      return r.success ? r.data : null;
    },
  };
}

function fetcher(): SourceFetcher | null {
  const cmd = config().SEARCH_SCORER_CMD;
  return fetcherSlot() ?? (cmd ? commandFetcher(cmd) : null);
}

/** Upstream's timing reward: 0 when implausibly fast, 1 up to the target, linear to 0 at the timeout. */
export function timingReward(seconds: number, type: SearchType, timeoutS: number): number {
  const { min, target } = TIMING[type];
  if (seconds < min) return 0;
  if (seconds <= target) return 1;
  return Math.max(0, Math.min(1, (timeoutS - seconds) / (timeoutS - target)));
}

const words = (s: string) => s.toLowerCase().match(/[a-z0-9]{3,}/g) ?? [];
const norm = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();

function bigrams(s: string): Set<string> {
  const w = words(s);
  return new Set(w.slice(1).map((x, i) => `${w[i]} ${x}`));
}

/** Checks of one sampled tweet against its source (each 0/1; a tweet that cannot be fetched scores 0). */
export async function checkTweet(
  t: Tweet,
  query: string,
  since: number | undefined,
  f: SourceFetcher,
): Promise<{ score: number; failed: string[] }> {
  const source = await f.tweet(t.id);
  if (!source) return { score: 0, failed: ["the tweet does not exist at its source"] };
  const within = (a: number, b: number) => Math.abs(a - b) <= Math.max(0.6 * b, 10);
  const terms = words(query.replace(/from:\S+/g, ""));
  const from = /from:(\w+)/.exec(query)?.[1];
  const checks: Array<[string, boolean]> = [
    [
      "query words",
      from
        ? t.user?.username.toLowerCase() === from.toLowerCase()
        : !terms.length || terms.some((w) => norm(t.text).includes(w)),
    ],
    ["date filter", since === undefined || Date.parse(t.created_at) >= since],
    ["id", t.id === source.id],
    ["url", (t.url ?? "") === (source.url ?? "")],
    ["created_at", t.created_at === source.created_at],
    ["flags", t.is_retweet === source.is_retweet && t.is_quote_tweet === source.is_quote_tweet],
    ["text", norm(t.text) === norm(source.text)],
    [
      "counts",
      within(t.like_count, source.like_count) &&
        within(t.retweet_count, source.retweet_count) &&
        within(t.reply_count, source.reply_count),
    ],
  ];
  return {
    score: checks.filter(([, ok]) => ok).length / checks.length,
    failed: checks.filter(([, ok]) => !ok).map(([n]) => n),
  };
}

/** Checks of one sampled web result against the page it links to. */
export async function checkLink(
  r: WebResult,
  query: string,
  f: SourceFetcher,
): Promise<{ score: number; failed: string[] }> {
  const page = await f.page(r.link);
  if (!page) return { score: 0, failed: ["the link cannot be fetched"] };
  const host = (u: string) => {
    try {
      return new URL(u).host;
    } catch {
      return "";
    }
  };
  const snippet = bigrams(r.snippet);
  const text = bigrams(page.text);
  const overlap = snippet.size ? [...snippet].filter((b) => text.has(b)).length / snippet.size : 0;
  const terms = words(query);
  const checks: Array<[string, boolean]> = [
    ["host", host(r.link) === host(page.link)],
    ["title", norm(page.title).includes(norm(r.title)) || norm(r.title).includes(norm(page.title))],
    ["snippet", r.snippet.length >= 40 && overlap >= 0.5],
    ["relevance", !terms.length || terms.some((w) => norm(page.text).includes(w) || norm(page.title).includes(w))],
  ];
  return {
    score: checks.filter(([, ok]) => ok).length / checks.length,
    failed: checks.filter(([, ok]) => !ok).map(([n]) => n),
  };
}

const pick = <T>(list: T[], n: number): T[] => [...list].sort(() => Math.random() - 0.5).slice(0, n);

export interface QueryScore {
  score: number;
  reason: string;
  status: number;
  latencyMs: number;
  items: number;
}

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
  let outcome!: StreamOutcome;
  const abort = new AbortController();
  try {
    for await (const _ of searchObjects(fields, abort.signal, (o) => (outcome = o), miner)) {
      // collected in the outcome
    }
  } catch {
    // the outcome says why
  }
  const latencyMs = outcome?.latencyMs ?? timeoutS * 1000;
  const objects = outcome?.objects ?? [];
  const tweets = validItems<Tweet>(
    objects.filter((o) => o.type === "tweets").flatMap((o) => o.content as unknown[]),
    tweetSchema,
  );
  const links = validItems<WebResult>(
    objects.filter((o) => o.type === "search").flatMap((o) => o.content as unknown[]),
    webResultSchema,
  );
  const base = { status: outcome?.status ?? 503, latencyMs, items: tweets.length + links.length };
  if (!outcome || outcome.status !== 200)
    return { ...base, score: 0, reason: `the stream failed: ${outcome?.status} ${outcome?.message}` };
  if (!objects.some((o) => o.type === "completion"))
    return { ...base, score: 0, reason: "the stream ended without its completion" };
  if (!tweets.length && !links.length) return { ...base, score: 0, reason: "no results" };
  if (new Set(tweets.map((t) => t.id)).size < tweets.length || new Set(links.map((l) => l.link)).size < links.length)
    return { ...base, score: 0, reason: "duplicate results" };
  const checks: number[] = [];
  const failed: string[] = [];
  if (!objects.some((o) => o.type === "text" && o.role === "summary")) (checks.push(0), failed.push("no summary"));
  if (f) {
    for (const t of pick(tweets, 3)) {
      const c = await checkTweet(t, "", undefined, f);
      checks.push(c.score);
      failed.push(...c.failed.map((x) => `tweet ${x}`));
    }
    for (const l of pick(links, 1)) {
      const c = await checkLink(l, query, f);
      checks.push(c.score);
      failed.push(...c.failed.map((x) => `link ${x}`));
    }
  }
  const content = checks.length ? checks.reduce((a, b) => a + b, 0) / checks.length : 1;
  const timing = timingReward(latencyMs / 1000, "ai_search", timeoutS);
  return { ...base, score: 0.7 * content + 0.3 * timing, reason: [...new Set(failed)].join(", ") };
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
      const next = SEARCH_TYPES.map((type) => {
        const p = prev.get(type);
        const declared = declaredOf(manifest, type) || (p?.declared ?? 0);
        const qualityAvg = (1 - QUALITY_EMA_ALPHA) * (p?.qualityAvg ?? 0) + QUALITY_EMA_ALPHA * scores[type].score;
        return { type, p, declared, qualityAvg, passed: declared > 0 && qualityAvg >= QUALITY_THRESHOLDS[type] };
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
            qualityScore: scores[n.type].score,
            passed: n.passed,
            verifiedConcurrency: verified,
            queries: 1,
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
