/** The organic search API's request models (neurons/validators/api.py), one schema each for REST, tRPC and docs. */
import { z } from "zod";

/** Tool names and the synapse field each fills. */
export const TOOLS = { "Twitter Search": "miner_tweets", "Web Search": "search_results" } as const;
export const LEGACY_TOOLS = [
  "ArXiv Search",
  "Wikipedia Search",
  "Youtube Search",
  "Hacker News Search",
  "Reddit Search",
] as const;
export const AVAILABLE_TOOLS = Object.keys(TOOLS) as Array<keyof typeof TOOLS>;

export const DATE_FILTERS = [
  "PAST_24_HOURS",
  "PAST_2_DAYS",
  "PAST_WEEK",
  "PAST_2_WEEKS",
  "PAST_MONTH",
  "PAST_2_MONTHS",
  "PAST_YEAR",
  "PAST_2_YEARS",
] as const;
export type DateFilter = (typeof DATE_FILTERS)[number];
export const DATE_FILTER_DAYS: Record<DateFilter, number> = {
  PAST_24_HOURS: 1,
  PAST_2_DAYS: 2,
  PAST_WEEK: 7,
  PAST_2_WEEKS: 14,
  PAST_MONTH: 30,
  PAST_2_MONTHS: 60,
  PAST_YEAR: 365,
  PAST_2_YEARS: 730,
};
export const MODELS = ["NOVA", "ORBIT", "HORIZON"] as const;
export const RESULT_TYPES = ["ONLY_LINKS", "LINKS_WITH_FINAL_SUMMARY"] as const;

const prompt = z.string().min(1, "must not be empty").max(2000);
const tool = z.enum([...AVAILABLE_TOOLS, ...LEGACY_TOOLS]);
const isoDate = z
  .string()
  .max(40)
  .refine((s) => !Number.isNaN(Date.parse(s)), "must be a date, e.g. 2025-05-01T00:00:00Z")
  .nullable()
  .optional();
const count = z.number().int().min(10).max(200).nullable().optional().default(10);
const domains = z.array(z.string().min(1).max(253)).max(50).nullable().optional().default([]);

export const searchRequestSchema = z
  .object({
    prompt,
    tools: z.array(tool).min(1, "name at least one tool").max(10),
    include_domains: domains,
    exclude_domains: domains,
    start_date: isoDate,
    end_date: isoDate,
    date_filter: z.enum(DATE_FILTERS).nullable().optional().default("PAST_WEEK"),
    model: z.enum(MODELS).nullable().optional().default("NOVA"),
    count,
    result_type: z.enum(RESULT_TYPES).nullable().optional().default("LINKS_WITH_FINAL_SUMMARY"),
    stream: z.boolean().optional().default(true),
    system_message: z.string().max(10_000).nullable().optional(),
    scoring_system_message: z.string().max(10_000).nullable().optional(),
    chat_history: z
      .array(z.object({ prompt: z.string().max(10_000), completion: z.string().max(100_000).default("") }))
      .max(50)
      .nullable()
      .optional()
      .default([]),
  })
  .meta({ id: "SearchRequest" });
export type SearchRequest = z.infer<typeof searchRequestSchema>;

export const linksSearchRequestSchema = z
  .object({
    prompt,
    tools: z.array(tool).max(10),
    model: z.string().max(32).nullable().optional(),
    count,
  })
  .meta({ id: "LinksSearchRequest" });
export type LinksSearchRequest = z.infer<typeof linksSearchRequestSchema>;

const optInt = z.number().int().min(0).max(1_000_000_000).nullable().optional();
const optBool = z.boolean().nullable().optional();
export const twitterSearchRequestSchema = z
  .object({
    query: z.string().max(2000).nullable().optional().default(""),
    sort: z.string().max(32).nullable().optional().default("Top"),
    user: z.string().max(64).nullable().optional(),
    start_date: isoDate,
    end_date: isoDate,
    lang: z.string().max(16).nullable().optional(),
    verified: optBool,
    blue_verified: optBool,
    is_quote: optBool,
    is_video: optBool,
    is_image: optBool,
    min_retweets: optInt,
    min_replies: optInt,
    min_likes: optInt,
    count: z.number().int().min(1).max(100).nullable().optional().default(20),
  })
  .meta({ id: "TwitterSearchRequest" });
export type TwitterSearchRequest = z.infer<typeof twitterSearchRequestSchema>;

export const twitterUrlsRequestSchema = z
  .object({ urls: z.array(z.string().min(1).max(2048)).min(1, "name at least one URL").max(100) })
  .meta({ id: "TwitterURLSearchRequest" });

const queryInt = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .default(fallback);
export const webSearchQuerySchema = z.object({
  query: z.string().min(1, "must not be empty").max(2000),
  num: queryInt(1, 100, 10),
  start: queryInt(0, 10_000, 0),
});

export const tweetIdSchema = z.string().regex(/^\d{1,25}$/, "must be a tweet id (digits)");

/** Both ends of a date filter, in ms (explicit dates win over the named filter). */
export function dateRange(
  r: { start_date?: string | null; end_date?: string | null; date_filter?: DateFilter | null },
  now = Date.now(),
): { since?: number; until?: number } {
  if (r.start_date || r.end_date)
    return {
      since: r.start_date ? Date.parse(r.start_date) : undefined,
      until: r.end_date ? Date.parse(r.end_date) : undefined,
    };
  return r.date_filter ? { since: now - DATE_FILTER_DAYS[r.date_filter] * 86_400_000, until: now } : {};
}
