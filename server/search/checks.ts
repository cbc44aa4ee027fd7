/**
 * The checks a search answer is scored by (synthetic and organic alike): upstream's thresholds and timing
 * reward, and truthfulness of sampled items re-fetched from the source they claim (SourceFetcher: the devnet's
 * corpus, or SEARCH_SCORER_CMD).
 */
import { spawn } from "node:child_process";
import { z } from "zod";
import { config } from "../env";
import { lazy } from "../global";
import { tweetSchema, validItems, webResultSchema, type SearchType, type Tweet, type WebResult } from "./protocol";
import { searchConfig } from "./config";

/** What an AI search stream ended with (organic.ts fills it). */
export interface StreamOutcome {
  hotkey: string | null;
  hedgedHotkey: string | null;
  status: number;
  message: string;
  firstByteMs: number | null;
  latencyMs: number;
  items: number;
  objects: Record<string, unknown>[];
}

export const QUALITY_THRESHOLDS: Record<SearchType, number> = { ai_search: 0.5, x_search: 0.6, web_search: 0.6 };
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

export function fetcher(): SourceFetcher | null {
  const cmd = searchConfig().SEARCH_SCORER_CMD;
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

/**
 * The share of `snippet`'s word pairs found as consecutive words of `text` (a page can be long: its words are
 * joined once and searched, not turned into a set of pairs per check).
 */
function pairOverlap(snippet: string, text: string): number {
  const pairs = bigrams(snippet);
  if (!pairs.size) return 0;
  const joined = ` ${words(text).join(" ")} `;
  let found = 0;
  for (const pair of pairs) if (joined.includes(` ${pair} `)) found++;
  return found / pairs.size;
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
  const terms = words(query);
  const [pageText, pageTitle, title] = [norm(page.text), norm(page.title), norm(r.title)];
  const checks: Array<[string, boolean]> = [
    ["host", host(r.link) === host(page.link)],
    ["title", pageTitle.includes(title) || title.includes(pageTitle)],
    ["snippet", r.snippet.length >= 40 && pairOverlap(r.snippet, page.text) >= 0.5],
    ["relevance", !terms.length || terms.some((w) => pageText.includes(w) || pageTitle.includes(w))],
  ];
  return {
    score: checks.filter(([, ok]) => ok).length / checks.length,
    failed: checks.filter(([, ok]) => !ok).map(([n]) => n),
  };
}

export const pick = <T>(list: T[], n: number): T[] => [...list].sort(() => Math.random() - 0.5).slice(0, n);

export interface QueryScore {
  score: number;
  reason: string;
  status: number;
  latencyMs: number;
  items: number;
}

/** An AI search's answer (organic or synthetic), scored as upstream checks it without a language model. */
export async function scoreAiAnswer(
  outcome: StreamOutcome | null,
  query: string,
  timeoutS: number,
  f: SourceFetcher | null,
): Promise<QueryScore> {
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
