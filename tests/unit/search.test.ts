/**
 * The organic search API's rules: Python's JSON and SSE framing (checked against python3 itself), the weighted
 * miner choice (chi-square), upstream's weights, timing reward, capacity ramp, time limits, the stream relay and
 * aggregation, and the truthfulness checks of sampled items.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { pyJsonDumps } from "@/server/bittensor";
import { dateRange, searchRequestSchema } from "@/server/search/forms";
import { routingWeight, searchTimeoutS, weightedPick } from "@/server/search/miners";
import { aggregate, sseFrame } from "@/server/search/organic";
import { relayed, streamFields } from "@/server/search/relay";
import { checkLink, checkTweet, timingReward, type SourceFetcher } from "@/server/search/checks";
import { syntheticQuery } from "@/server/search/synthetic";
import { nextVerified } from "@/server/search/windows";
import { tweetSchema, webResultSchema, type Tweet } from "@/server/search/protocol";
import { SearchCorpus } from "@/server/devnet/search-corpus";
import { queryVerdict } from "@/server/search/verdict";

const python = (code: string, input: string) => execFileSync("python3", ["-c", code], { input, encoding: "utf8" });

describe("Python's json.dumps and upstream's SSE framing", () => {
  const values = [
    { type: "text", role: "summary", content: 'héllo “wörld” 🚀 \u0000\u001f\u007f tab\t nl\n cr\r \\ " / <>' },
    { type: "search", content: [{ title: "a", snippet: "b", link: "https://x.y/z?q=1&r=2", date: null }] },
    { type: "miner_link_scores", content: { "https://a": "HIGH", "https://b": "LOW" } },
    { n: 1, f: 0.5, big: 12345678901234, neg: -3, tiny: 1e-7, t: true, x: false, e: [], o: {} },
    "日本語",
  ];
  it("writes every value byte for byte as python3's json.dumps", () => {
    const out = python("import json,sys\nfor v in json.load(sys.stdin): print(json.dumps(v))", JSON.stringify(values));
    expect(values.map(pyJsonDumps).join("\n") + "\n").toBe(out);
  });
  it("frames a stream as upstream's response_stream_event does", () => {
    const lines = values.map(pyJsonDumps);
    const expected = python(
      [
        "import sys",
        "out=''",
        "for chunk in sys.stdin.read().split('\\x1e'):",
        "    lines = chunk.split('\\n')",
        "    out += '\\n'.join(f\"data: {line if line else ' '}\" for line in lines) + '\\n\\n'",
        "sys.stdout.write(out)",
      ].join("\n"),
      lines.join("\x1e"),
    );
    expect(lines.map(sseFrame).join("")).toBe(expected);
  });
});

/** A seeded generator (mulberry32): the statistical test is the same on every run. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("miner choice", () => {
  it("picks in proportion to the weights (chi-square over 10,000 picks), never a zero weight", () => {
    const weights = [1, 2, 3, 0, 4];
    const counts = [0, 0, 0, 0, 0];
    const random = seeded(22);
    for (let i = 0; i < 10_000; i++) counts[weightedPick(weights, random())!]++;
    expect(counts[3]).toBe(0);
    const total = 10;
    const chi2 = weights.reduce(
      (a, w, i) => (w ? a + (counts[i] - (10_000 * w) / total) ** 2 / ((10_000 * w) / total) : a),
      0,
    );
    // 3 degrees of freedom: 16.27 is the 0.1% critical value.
    expect(chi2).toBeLessThan(16.27);
    expect(weightedPick([0, 0])).toBeNull();
    expect(weightedPick([])).toBeNull();
  });
  it("weighs as upstream: max(quality, 0.1)^3 x max(verified, 1)^2; unreachable 0", () => {
    expect(routingWeight({ qualityAvg: 0.8, verified: 3, unreachableSince: null })).toBeCloseTo(0.512 * 9);
    expect(routingWeight({ qualityAvg: 0, verified: 0, unreachableSince: null })).toBeCloseTo(0.001);
    expect(routingWeight({ qualityAvg: 1, verified: 5, unreachableSince: new Date() })).toBe(0);
  });
  it("gives more time to more results and larger models", () => {
    expect(searchTimeoutS(20, "NOVA")).toBe(15);
    expect(searchTimeoutS(200, "NOVA")).toBe(30);
    expect(searchTimeoutS(10, "NOVA")).toBe(15);
    expect(searchTimeoutS(200, "HORIZON")).toBeGreaterThan(30);
  });
});

describe("scoring rules", () => {
  it("timing: 0 when implausibly fast, 1 up to the target, linear to 0 at the timeout", () => {
    expect(timingReward(0.5, "x_search", 10)).toBe(0);
    expect(timingReward(1, "x_search", 10)).toBe(1);
    expect(timingReward(3, "x_search", 10)).toBe(1);
    expect(timingReward(6.5, "x_search", 10)).toBeCloseTo(0.5);
    expect(timingReward(12, "x_search", 10)).toBe(0);
    expect(timingReward(4, "ai_search", 15)).toBe(0);
    expect(timingReward(12.5, "ai_search", 15)).toBeCloseTo(0.5);
  });
  it("ramps verified capacity by 10% of declared while all pass, down by 10% otherwise, within [1, declared]", () => {
    expect(nextVerified(1, 20, true)).toBe(3);
    expect(nextVerified(19, 20, true)).toBe(20);
    expect(nextVerified(5, 4, true)).toBe(4);
    expect(nextVerified(10, 20, false)).toBe(8);
    expect(nextVerified(1, 20, false)).toBe(1);
    expect(nextVerified(1, 0, true)).toBe(1);
    expect(nextVerified(100, 500, true)).toBe(100);
  });
  it("mixes X queries as upstream: from:, $cashtag, #hashtag, topic", () => {
    const random = seeded(3);
    const kinds = { from: 0, cash: 0, tag: 0, topic: 0 };
    for (let i = 0; i < 4000; i++) {
      const q = syntheticQuery(["parser", "stream"], ["acorn"], random);
      if (q.startsWith("from:")) kinds.from++;
      else if (q.startsWith("$")) kinds.cash++;
      else if (q.startsWith("#")) kinds.tag++;
      else kinds.topic++;
    }
    expect(kinds.from / 4000).toBeCloseTo(0.2, 1);
    expect(kinds.cash / 4000).toBeCloseTo(0.15, 1);
    expect(kinds.tag / 4000).toBeCloseTo(0.15, 1);
    expect(kinds.topic / 4000).toBeCloseTo(0.5, 1);
  });

  const tweet: Tweet = {
    id: "1800000000000000001",
    text: "Streams parse JSON fast",
    reply_count: 3,
    retweet_count: 40,
    like_count: 500,
    quote_count: 1,
    bookmark_count: 2,
    created_at: "2026-11-20T10:00:00.000Z",
    url: "https://x.com/streamer/status/1800000000000000001",
    is_quote_tweet: false,
    is_retweet: false,
    user: { id: "1", username: "streamer", name: "Streamer" },
  };
  const page = {
    link: "https://www.npmjs.com/package/minisearch",
    title: "minisearch: tiny full-text search",
    text: "MiniSearch is a tiny but powerful in-memory fulltext search engine written in JavaScript. It is respectful of resources.",
  };
  const source: SourceFetcher = {
    tweet: async (id) => (id === tweet.id ? tweet : null),
    page: async (link) => (link === page.link ? page : null),
  };
  it("checks a sampled tweet field by field against its source", async () => {
    expect(await checkTweet(tweet, "json", undefined, source)).toEqual({ score: 1, failed: [] });
    expect((await checkTweet({ ...tweet, id: "1" }, "json", undefined, source)).score).toBe(0);
    const edited = await checkTweet(
      { ...tweet, text: "Streams parse XML fast", like_count: 5000 },
      "json",
      undefined,
      source,
    );
    expect(edited.failed).toEqual(["query words", "text", "counts"]);
    // Counts may move within max(60%, 10).
    expect((await checkTweet({ ...tweet, like_count: 790, reply_count: 12 }, "json", undefined, source)).score).toBe(1);
    expect((await checkTweet(tweet, "from:someoneelse", undefined, source)).failed).toEqual(["query words"]);
    expect((await checkTweet(tweet, "json", Date.parse("2026-11-21T00:00:00Z"), source)).failed).toEqual([
      "date filter",
    ]);
  });
  it("checks a sampled link: host, title, snippet overlap (>= 40 chars, >= 50% bigrams), relevance", async () => {
    const good = {
      title: "minisearch",
      snippet: "MiniSearch is a tiny but powerful in-memory fulltext search engine",
      link: page.link,
    };
    expect(await checkLink(good, "search engine", source)).toEqual({ score: 1, failed: [] });
    expect((await checkLink({ ...good, link: "https://www.npmjs.com/package/nothing" }, "search", source)).score).toBe(
      0,
    );
    const bad = await checkLink({ ...good, title: "other", snippet: "A short one" }, "quantum", source);
    expect(bad.failed).toEqual(["title", "snippet", "relevance"]);
  });
});

describe("request and stream handling", () => {
  it("relays what upstream relays, in its key order, and drops unknown types", () => {
    expect(relayed({ content: "a", role: "summary", type: "text", extra: 1 })).toEqual({
      type: "text",
      role: "summary",
      content: "a",
    });
    expect(Object.keys(relayed({ content: "x", type: "text", role: "summary" })!)).toEqual(["type", "role", "content"]);
    expect(relayed({ type: "tweets", content: "not a list" })).toEqual({ type: "tweets", content: [] });
    expect(relayed({ type: "secret_debug", content: "x" })).toBeNull();
    expect(relayed([1, 2])).toBeNull();
  });
  it("aggregates by kind, [] for a requested tool with nothing found", () => {
    const objects = [
      { type: "tweets", content: [{ id: "1" }] },
      { type: "search", content: [{ link: "a" }] },
      { type: "search", content: [{ link: "b" }] },
    ];
    expect(aggregate(objects, ["Web Search"])).toEqual({
      miner_tweets: [{ id: "1" }],
      search_results: [{ link: "a" }, { link: "b" }],
    });
    expect(aggregate([], ["Twitter Search", "Web Search"])).toEqual({ miner_tweets: [], search_results: [] });
  });
  it("applies the request's defaults and sends legacy tools as Web Search", () => {
    const body = searchRequestSchema.parse({
      prompt: "p",
      tools: ["Reddit Search", "Hacker News Search", "Twitter Search"],
    });
    expect(body).toMatchObject({
      count: 10,
      model: "NOVA",
      date_filter: "PAST_WEEK",
      result_type: "LINKS_WITH_FINAL_SUMMARY",
      stream: true,
    });
    const fields = streamFields(body);
    expect(fields.tools).toEqual(["Web Search", "Twitter Search"]);
    expect(fields.date_filter_type).toBe("PAST_WEEK");
    expect(searchRequestSchema.safeParse({ prompt: "p", tools: ["Web Search"], count: 201 }).success).toBe(false);
    expect(searchRequestSchema.safeParse({ prompt: "", tools: ["Web Search"] }).success).toBe(false);
    expect(searchRequestSchema.safeParse({ prompt: "p", tools: ["Bing"] }).success).toBe(false);
  });
  it("turns date filters into a range; explicit dates win", () => {
    const now = Date.parse("2026-11-23T00:00:00Z");
    expect(dateRange({ date_filter: "PAST_WEEK" }, now)).toEqual({ since: now - 7 * 86_400_000, until: now });
    expect(dateRange({ date_filter: "PAST_WEEK", start_date: "2026-01-01T00:00:00Z" }, now)).toEqual({
      since: Date.parse("2026-01-01T00:00:00Z"),
      until: undefined,
    });
  });
});

describe("the devnet's corpus", () => {
  it("has only posts and pages that fit upstream's schemas (counts never negative)", () => {
    const corpus = new SearchCorpus("node_modules");
    expect(corpus.posts.length).toBeGreaterThan(100);
    expect(corpus.posts.filter((t) => !tweetSchema.safeParse(t).success)).toEqual([]);
    expect(corpus.pages.map(SearchCorpus.toWebResult).filter((p) => !webResultSchema.safeParse(p).success)).toEqual([]);
  });
});

describe("the query log's outcome", () => {
  const q = (outcome: string, score: number | null, reason = "", status = 200) => ({ outcome, status, score, reason });
  it("says what scoring found when the stream itself went through", () => {
    expect(queryVerdict(q("ok", 0.9))).toBe("ok");
    expect(queryVerdict(q("ok", null))).toBe("ok"); // not scored (yet)
    expect(queryVerdict(q("ok", 0, "the stream ended without its completion"))).toBe("incomplete");
    expect(queryVerdict(q("error", 0, "The miner's stream ended inside a JSON object", 422))).toBe("incomplete");
    expect(queryVerdict(q("ok", 0, "tweet the tweet does not exist at its source"))).toBe("invented");
    expect(queryVerdict(q("ok", 0.4, "link title, link snippet"))).toBe("invented");
    expect(queryVerdict(q("ok", 0.6, "no summary; implausibly fast or too slow"))).toBe("timeout");
    expect(queryVerdict(q("timeout", 0, "408 Timeout", 408))).toBe("timeout");
    expect(queryVerdict(q("ok", 0, "no results"))).toBe("failed");
    expect(queryVerdict(q("ok", 0.7, "no summary"))).toBe("ok");
    expect(queryVerdict(q("cancelled", null, "", 499))).toBe("cancelled");
    expect(queryVerdict(q("no_miner", null, "", 503))).toBe("no_miner");
  });
});
