/** The X and web routes: one miner per query (x_search or web_search), its items checked, the query recorded. */
import type { AnySynapse, CallResult, RequestOf } from "../bittensor";
import { BadGatewayError, NotFoundError, UnavailableError } from "../errors";
import { chooseMiner, requireSearchDendrite, type Candidate } from "./miners";
import { recordQuery } from "./query-log";
import {
  validItems,
  tweetSchema,
  TwitterIDSearchSynapse,
  TwitterSearchSynapse,
  TwitterURLsSearchSynapse,
  webResultSchema,
  WebSearchSynapse,
  type SearchType,
  type Tweet,
  type WebResult,
} from "./protocol";
import type { TwitterSearchRequest } from "./forms";

/** Upstream's time limits for the X and web synapses (seconds). */
export const X_TIMEOUT_S = 10;
export const WEB_TIMEOUT_S = 10;

async function ask<S extends AnySynapse>(
  type: SearchType,
  route: string,
  prompt: string,
  def: S,
  fields: RequestOf<S>,
  timeoutS: number,
  miner?: Candidate | null,
): Promise<{ result: CallResult<S>; items: unknown[] }> {
  const chosen = miner ?? (await chooseMiner(type));
  if (!chosen) {
    recordQuery({
      kind: "organic",
      searchType: type,
      route,
      prompt,
      outcome: { hotkey: null, status: 503, message: "No search miner is available" },
    });
    throw new UnavailableError("No search miner is available");
  }
  const result = await requireSearchDendrite().call(chosen.axon, def, fields, { timeout: timeoutS });
  const raw = (result.response as { results?: unknown } | undefined)?.results;
  const items = Array.isArray(raw) ? raw : [];
  recordQuery({
    kind: "organic",
    searchType: type,
    route,
    prompt,
    outcome: {
      hotkey: chosen.axon.hotkey,
      status: result.status,
      message: result.message,
      latencyMs: result.latencyMs ?? 0,
      items: items.length,
    },
  });
  if (result.status !== 200)
    throw new BadGatewayError(`The miner did not answer: ${result.status} ${result.message}`.slice(0, 300));
  return { result, items };
}

export async function twitterSearch(r: TwitterSearchRequest): Promise<Tweet[]> {
  const fields = TwitterSearchSynapse.request.parse({
    ...r,
    query: r.query ?? "",
    count: r.count ?? 20,
    max_execution_time: X_TIMEOUT_S,
  });
  const { items } = await ask("x_search", "/twitter/search", r.query ?? "", TwitterSearchSynapse, fields, X_TIMEOUT_S);
  return validItems<Tweet>(items, tweetSchema).slice(0, r.count ?? 20);
}

export async function tweetsByUrls(urls: string[]): Promise<Tweet[]> {
  const unique = [...new Set(urls)];
  const { items } = await ask(
    "x_search",
    "/twitter/urls",
    unique.join(" "),
    TwitterURLsSearchSynapse,
    { urls: unique, max_execution_time: X_TIMEOUT_S },
    X_TIMEOUT_S,
  );
  const tweets = validItems<Tweet>(items, tweetSchema);
  if (!tweets.length) throw new NotFoundError("Tweets not found");
  return tweets;
}

export async function tweetById(id: string): Promise<Tweet> {
  const { items } = await ask(
    "x_search",
    "/twitter/{id}",
    id,
    TwitterIDSearchSynapse,
    { id, max_execution_time: X_TIMEOUT_S },
    X_TIMEOUT_S,
  );
  const [tweet] = validItems<Tweet>(items, tweetSchema);
  if (!tweet) throw new NotFoundError("Tweet not found");
  return tweet;
}

export async function webSearch(query: string, num: number, start: number): Promise<WebResult[]> {
  const { items } = await ask(
    "web_search",
    "/web/search",
    query,
    WebSearchSynapse,
    { query, num, start, max_execution_time: WEB_TIMEOUT_S },
    WEB_TIMEOUT_S,
  );
  return validItems<WebResult>(items, webResultSchema).slice(0, num);
}
