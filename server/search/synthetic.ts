/**
 * The scoring epoch's synthetic queries, one per search type, checked as upstream checks them without a language
 * model: status, schema, count, duplicates, date filter, query words, and truthfulness of a sample re-fetched from
 * the source it claims (SourceFetcher: the devnet's corpus, or SEARCH_SCORER_CMD). Each is recorded in the query log.
 */
import type { CallResult } from "../bittensor";
import { lazy } from "../global";
import {
  checkLink,
  checkTweet,
  pick,
  scoreAiAnswer,
  timingReward,
  type QueryScore,
  type SourceFetcher,
  type StreamOutcome,
} from "./checks";
import { requireSearchDendrite, searchTimeoutS, type Candidate } from "./miners";
import { recordQuery } from "./query-log";
import { searchObjects, streamFields } from "./relay";
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

export type Topics = () => { topics: string[]; accounts: string[] };

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

/**
 * One synthetic query per search type to a miner (its score 0 with the reason when IsAlive did not reach it),
 * each recorded in the query log.
 */
export async function syntheticScores(
  m: Candidate,
  alive: { status: number; message: string },
  topics: ReturnType<Topics>,
  f: SourceFetcher | null,
): Promise<Record<SearchType, QueryScore>> {
  const reachable = alive.status === 200;
  const scores = {} as Record<SearchType, QueryScore>;
  for (const type of SEARCH_TYPES) {
    const query = type === "x_search" ? syntheticQuery(topics.topics, topics.accounts) : topicQuery(topics.topics);
    const s: QueryScore = !reachable
      ? {
          score: 0,
          reason: `unreachable: ${alive.status} ${alive.message}`,
          status: alive.status,
          latencyMs: 0,
          items: 0,
        }
      : await (type === "x_search" ? scoreX : type === "web_search" ? scoreWeb : scoreAi)(m, query, f).catch((e) => ({
          score: 0,
          reason: (e as Error).message,
          status: 500,
          latencyMs: 0,
          items: 0,
        }));
    scores[type] = s;
    recordQuery({
      kind: "synthetic",
      searchType: type,
      route: type,
      prompt: query,
      outcome: { hotkey: m.axon.hotkey, status: s.status, message: s.reason, latencyMs: s.latencyMs, items: s.items },
      score: s.score,
      reason: s.reason,
    });
  }
  return scores;
}

/** Topics for synthetic queries when no corpus is registered: generic subjects. */
const topicSlot = lazy<Topics>(() => () => ({
  topics: ["bittensor", "decentralized search", "open source", "javascript", "database", "machine learning"],
  accounts: [],
}));
export function setSyntheticTopics(f: Topics): void {
  topicSlot.set(f);
}
export function defaultTopics() {
  return topicSlot()();
}
