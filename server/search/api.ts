/** The organic search API (role `search`, SN22's validator API): upstream's paths, models, shapes and SSE. */
import { Readable } from "node:stream";
import { z } from "zod";
import { config } from "../env";
import { ValidationError } from "../errors";
import { apiRoute, streamReply } from "../rest/api-route";
import { headerKeyAuth } from "../rest/auth";
import { apiKey } from "../auth/api-keys";
import {
  linksSearchRequestSchema,
  searchRequestSchema,
  tweetIdSchema,
  twitterSearchRequestSchema,
  twitterUrlsRequestSchema,
  webSearchQuerySchema,
} from "./forms";
import { aggregate, collectSearch, sseSearch, summaryOf } from "./organic";
import { AVAILABLE_TOOLS, tweetSchema, webResultSchema } from "./protocol";
import { minerDetail, minerList, minerDetailSchema, minerListSchema } from "./public";
import { tweetById, tweetsByUrls, twitterSearch, webSearch } from "./x-web";
import { SEARCH_API_VERSION } from "./version";

/** Upstream's access-key check: unset 403, wrong or missing 401, with its messages. */
export const accessKey = headerKeyAuth({
  name: "searchAccessKey",
  header: "access-key",
  key: () => apiKey("search"),
  disabledMessage: "Access key is not configured. API is disabled.",
  invalidMessage: "Invalid access key",
  description: "EXPECTED_ACCESS_KEY of this console",
});

const common = {
  module: "search",
  format: "fastapi",
  invalidStatus: 422,
  auth: accessKey,
  tags: ["Organic search"],
  errors: {
    401: "Invalid access key",
    403: "Access key is not configured. API is disabled. (no key: create one on Settings, or set EXPECTED_ACCESS_KEY)",
    502: "The miner chosen for the query failed or did not answer",
    503: "No search miner is available",
  },
} as const;
const key = `-H "access-key: $EXPECTED_ACCESS_KEY"`;
const curl = (path: string, body?: unknown) =>
  `curl -sSN "http://localhost:3000${path}" ${key}${body ? ` -H 'content-type: application/json' -d '${JSON.stringify(body)}'` : ""}`;

/** SSE through every proxy: no buffering (X-Accel-Buffering), no caching, never compressed. */
export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

/** A Readable over an async generator whose miner call stops at once when the client goes (destroy aborts). */
function abortableStream(open: (signal: AbortSignal) => AsyncGenerator<string>): Readable {
  const abort = new AbortController();
  const it = open(abort.signal);
  let reading = false;
  return new Readable({
    read() {
      if (reading) return;
      reading = true;
      it.next().then(
        (r) => {
          reading = false;
          this.push(r.done ? null : r.value);
        },
        (e: Error) => this.destroy(e),
      );
    },
    destroy(err, cb) {
      abort.abort();
      void it.return(undefined).catch(() => {});
      cb(err);
    },
  });
}

const links = z.record(z.string(), z.array(z.unknown()));
const TWEET_EXAMPLE = {
  id: "1800000000000000001",
  text: "MiniSearch is a tiny but powerful in-memory fulltext search engine #minisearch",
  reply_count: 3,
  retweet_count: 40,
  like_count: 500,
  quote_count: 1,
  bookmark_count: 2,
  view_count: 12000,
  created_at: "2026-11-20T10:00:00.000Z",
  url: "https://x.com/minisearch/status/1800000000000000001",
  is_quote_tweet: false,
  is_retweet: false,
  lang: "en",
  conversation_id: "1800000000000000001",
  user: { id: "1234567", username: "minisearch", name: "minisearch" },
};

export const healthRoute = apiRoute({
  ...common,
  method: "GET",
  path: "/",
  onlyWithHeader: "access-key",
  summary: "Health check of the organic search API",
  response: { description: "Healthy", schema: z.object({ status: z.literal("healthy"), version: z.string() }) },
  examples: { response: { status: "healthy", version: SEARCH_API_VERSION }, curl: curl("/") },
  handler: () => ({ status: "healthy" as const, version: SEARCH_API_VERSION }),
});

export const searchRoute = apiRoute({
  ...common,
  method: "POST",
  path: "/search",
  summary: "Search across X and the web through one miner, streamed",
  description:
    'Server-sent events, upstream\'s framing byte for byte: each object the miner streams goes out as `data: <one-line JSON>` and a blank line, no event names; the stream closes at the end; a failure ends it with `data: {"error": "..."}`. Types: `tweets`, `search`, `miner_link_scores`, `text` (role `summary`, a token), `completion`. Chunks are flushed as the miner sends them (`X-Accel-Buffering: no`). A client that disconnects cancels the miner call. With `stream: false` or `result_type: ONLY_LINKS`, one JSON object: `{miner_tweets, search_results, summary?}`. Legacy tools (ArXiv, Wikipedia, Youtube, Hacker News, Reddit) fall back to Web Search, as upstream.',
  body: searchRequestSchema,
  response: {
    description: "An SSE stream (stream=true), or the collected results",
    contentType: "text/event-stream",
    headers: { "x-accel-buffering": "no: proxies must not buffer the stream" },
  },
  examples: {
    body: { prompt: "What is minisearch?", tools: ["Web Search", "Twitter Search"], count: 10 },
    curl: curl("/search", { prompt: "What is minisearch?", tools: ["Web Search"], count: 10 }),
  },
  async handler({ body, req }) {
    if (body.stream && body.result_type === "LINKS_WITH_FINAL_SUMMARY")
      return streamReply(200, SSE_HEADERS, () => abortableStream((signal) => sseSearch(body, signal)));
    const { objects } = await collectSearch(body, "/search", req.signal);
    const out = aggregate(objects, body.tools);
    return body.result_type === "LINKS_WITH_FINAL_SUMMARY" ? { ...out, summary: summaryOf(objects) } : out;
  },
});

const linksRoute = (path: string, summary: string, allTools: boolean) =>
  apiRoute({
    ...common,
    method: "POST",
    path,
    summary,
    description: allTools
      ? "Links from every tool this console supports (`tools` is ignored, as upstream)."
      : "Links from the requested tools; `[]` for a requested tool with nothing found.",
    body: linksSearchRequestSchema,
    response: { description: "Results keyed by kind (miner_tweets, search_results)", schema: links },
    examples: {
      body: { prompt: "full text search", tools: ["Web Search"], count: 10 },
      curl: curl(path, { prompt: "full text search", tools: ["Web Search"], count: 10 }),
    },
    async handler({ body, req }) {
      const tools = allTools ? [...AVAILABLE_TOOLS] : body.tools;
      const { objects } = await collectSearch(
        { prompt: body.prompt, tools, count: body.count, result_type: "ONLY_LINKS", date_filter: "PAST_2_YEARS" },
        path,
        req.signal,
      );
      return aggregate(objects, tools);
    },
  });

export const twitterSearchRoute = apiRoute({
  ...common,
  method: "POST",
  path: "/twitter/search",
  summary: "X search with filters",
  body: twitterSearchRequestSchema,
  response: { description: "Matching tweets", schema: z.array(tweetSchema) },
  examples: {
    body: { query: "full text search", count: 10 },
    curl: curl("/twitter/search", { query: "search", count: 10 }),
  },
  handler: ({ body }) => twitterSearch(body),
});

export const twitterUrlsRoute = apiRoute({
  ...common,
  method: "POST",
  path: "/twitter/urls",
  summary: "Tweets by their URLs (deduplicated in order)",
  body: twitterUrlsRequestSchema,
  response: { description: "The tweets found", schema: z.array(tweetSchema) },
  errors: { ...common.errors, 404: "Tweets not found" },
  examples: {
    body: { urls: [TWEET_EXAMPLE.url] },
    response: [TWEET_EXAMPLE],
    curl: curl("/twitter/urls", { urls: [TWEET_EXAMPLE.url] }),
  },
  handler: ({ body }) => tweetsByUrls(body.urls),
});

export const tweetByIdRoute = apiRoute({
  ...common,
  method: "GET",
  path: "/twitter/{id}",
  summary: "One tweet by its id",
  response: { description: "The tweet", schema: tweetSchema },
  errors: { ...common.errors, 404: "Tweet not found", 422: "The id is not digits" },
  examples: { response: TWEET_EXAMPLE, curl: curl(`/twitter/${TWEET_EXAMPLE.id}`) },
  handler: ({ params }) => {
    const id = tweetIdSchema.safeParse(params.id);
    if (!id.success)
      throw new ValidationError("path.id: must be a tweet id (digits)", [
        { field: "path.id", message: "must be a tweet id (digits)" },
      ]);
    return tweetById(id.data);
  },
});

export const webSearchRoute = apiRoute({
  ...common,
  method: "GET",
  path: "/web/search",
  summary: "Web search",
  query: webSearchQuerySchema,
  response: { description: "Results", schema: z.object({ data: z.array(webResultSchema) }) },
  examples: {
    query: { query: "markdown parser", num: "10", start: "0" },
    curl: curl("/web/search?query=markdown%20parser&num=10"),
  },
  handler: async ({ query }) => ({ data: await webSearch(query.query, query.num, query.start) }),
});

const publicCommon = { module: "search", format: "fastapi", tags: ["Organic search: public miner state"] } as const;

export const publicMinersRoute = apiRoute({
  ...publicCommon,
  method: "GET",
  path: "/public/miners",
  summary: "Active search miners and their state per search type (no auth)",
  description: "Miners updated in the last 4 hours, sorted by uid.",
  response: { description: "Validator identity and miners", schema: minerListSchema },
  errors: { 503: "Miner state unavailable" },
  examples: {
    response: {
      validator: { uid: 0, hotkey: "5CPA5X…", coldkey: "5HK9bE…", netuid: 22 },
      miners: [
        {
          hotkey: "5Hbdvo…",
          uid: 16,
          coldkey: "5DqLw2…",
          per_type: {
            web_search: { verified: 2, declared: 4, quality_avg: 0.93, unreachable_since: null },
            x_search: { verified: 2, declared: 4, quality_avg: 0.88, unreachable_since: null },
            ai_search: { verified: 2, declared: 4, quality_avg: 0.91, unreachable_since: null },
          },
        },
      ],
    },
    curl: `curl -sS "http://localhost:3000/public/miners"`,
  },
  handler: () => minerList(),
});

export const publicMinerRoute = apiRoute({
  ...publicCommon,
  method: "GET",
  path: "/public/miners/{hotkey}",
  summary: "One miner's state and its scoring windows of the last 72 hours (no auth)",
  response: { description: "The miner", schema: minerDetailSchema },
  errors: { 404: "Miner not found", 503: "Miner state unavailable" },
  examples: { curl: `curl -sS "http://localhost:3000/public/miners/<hotkey>"` },
  handler: ({ params }) => minerDetail(params.hotkey),
});

export const searchRoutes = [
  healthRoute,
  searchRoute,
  linksRoute("/search/links/web", "Web links (deprecated upstream; kept for migration)", false),
  linksRoute("/search/links/twitter", "X links (deprecated upstream; kept for migration)", false),
  linksRoute("/search/links", "Links from every tool (deprecated upstream; kept for migration)", true),
  twitterSearchRoute,
  twitterUrlsRoute,
  tweetByIdRoute,
  webSearchRoute,
  publicMinersRoute,
  publicMinerRoute,
];
