/**
 * SN22's synapses as its miners serve them (desearch/protocol.py): the streaming AI search and the X and web
 * searches, with upstream's field names and defaults, so that real SN22 miners answer the console. No synapse
 * declares required_hash_fields: the body hash covers nothing.
 */
import { z } from "zod";
import { defineSynapse } from "../bittensor";

const text = (max: number) => z.string().max(max);
const count = z.number().int().min(0).max(1e15);

/** A tweet as SN22 passes it (TwitterScraperTweet); other fields are kept as the miner sent them. */
export const tweetSchema = z
  .object({
    id: text(64),
    text: text(100_000),
    reply_count: count,
    retweet_count: count,
    like_count: count,
    quote_count: count,
    bookmark_count: count,
    created_at: text(64),
    url: text(2048).nullable(),
    is_quote_tweet: z.boolean().nullable(),
    is_retweet: z.boolean().nullable(),
    view_count: count.nullable().optional(),
    lang: text(16).nullable().optional(),
    conversation_id: text(64).nullable().optional(),
    user: z
      .looseObject({ id: text(64), username: text(64), name: text(256).nullable().optional() })
      .nullable()
      .optional(),
  })
  .loose()
  .meta({ id: "Tweet" });
export type Tweet = z.infer<typeof tweetSchema>;

/** A web result (WebSearchResult / SearchResultItem). */
export const webResultSchema = z
  .object({
    title: text(2048),
    snippet: text(100_000),
    link: text(2048),
    date: text(64).nullable().optional(),
  })
  .loose()
  .meta({ id: "WebResult" });
export type WebResult = z.infer<typeof webResultSchema>;

/** Results one answer may hold: counted before any is parsed, so a miner's 700,000 items cost no more than 1,000. */
export const MAX_ANSWER_RESULTS = 1_000;
const results = z
  .array(z.unknown())
  .max(MAX_ANSWER_RESULTS, `more than ${MAX_ANSWER_RESULTS} results`)
  .pipe(z.array(z.record(z.string(), z.unknown())))
  .default([]);
const tweets = results;

/** The AI search: the miner streams JSON objects (tool results, link scores, summary tokens, completion). */
export const ScraperStreamingSynapse = defineSynapse({
  name: "ScraperStreamingSynapse",
  request: {
    prompt: text(10_000),
    completion: z.string().default(""),
    model: z.enum(["NOVA", "ORBIT", "HORIZON"]).default("NOVA"),
    count: z.number().int().min(10).max(200).nullable().default(10),
    system_message: z.string().nullable().default(""),
    scoring_system_message: z.string().nullable().default(""),
    tools: z.array(z.string()).default([]),
    include_domains: z.array(z.string()).default([]),
    exclude_domains: z.array(z.string()).default([]),
    start_date: z.string().nullable().default(null),
    end_date: z.string().nullable().default(null),
    date_filter_type: z.string().nullable().default(null),
    language: z.string().nullable().default("en"),
    region: z.string().nullable().default("us"),
    google_date_filter: z.string().nullable().default("qdr:w"),
    max_execution_time: z.number().int().nullable().default(null),
    result_type: z.enum(["ONLY_LINKS", "LINKS_WITH_FINAL_SUMMARY"]).nullable().default(null),
    chat_history: z.array(z.object({ prompt: z.string(), completion: z.string().default("") })).default([]),
  },
  required: ["prompt"],
  streaming: true,
});

/** X search with filters (the answer's `results`). */
export const TwitterSearchSynapse = defineSynapse({
  name: "TwitterSearchSynapse",
  request: {
    query: text(10_000),
    sort: z.string().nullable().default(null),
    user: z.string().nullable().default(null),
    count: z.number().int().default(20),
    start_date: z.string().nullable().default(null),
    end_date: z.string().nullable().default(null),
    lang: z.string().nullable().default(null),
    verified: z.boolean().nullable().default(null),
    blue_verified: z.boolean().nullable().default(null),
    is_quote: z.boolean().nullable().default(null),
    is_video: z.boolean().nullable().default(null),
    is_image: z.boolean().nullable().default(null),
    min_retweets: z.number().int().nullable().default(null),
    min_replies: z.number().int().nullable().default(null),
    min_likes: z.number().int().nullable().default(null),
    max_execution_time: z.number().int().nullable().default(null),
  },
  response: { results: tweets },
  required: ["query"],
});

export const TwitterIDSearchSynapse = defineSynapse({
  name: "TwitterIDSearchSynapse",
  request: { id: text(64), max_execution_time: z.number().int().nullable().default(null) },
  response: { results: tweets },
  required: ["id"],
});

export const TwitterURLsSearchSynapse = defineSynapse({
  name: "TwitterURLsSearchSynapse",
  request: { urls: z.array(text(2048)).max(100), max_execution_time: z.number().int().nullable().default(null) },
  response: { results: tweets },
  required: ["urls"],
});

export const WebSearchSynapse = defineSynapse({
  name: "WebSearchSynapse",
  request: {
    query: z.string().default(""),
    num: z.number().int().default(10),
    start: z.number().int().default(0),
    max_execution_time: z.number().int().nullable().default(null),
  },
  response: { results },
});

export const SEARCH_TYPES = ["web_search", "x_search", "ai_search"] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export { AVAILABLE_TOOLS, LEGACY_TOOLS, TOOLS } from "./forms";

/** Items of a miner's answer that fit their schema (the rest are dropped, never passed on). */
export function validItems<T>(items: unknown[], schema: { safeParse(v: unknown): { success: boolean; data?: T } }) {
  return items.flatMap((i) => {
    const r = schema.safeParse(i);
    return r.success ? [r.data as T] : [];
  });
}
