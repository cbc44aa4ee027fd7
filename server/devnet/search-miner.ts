/**
 * Devnet search miners: axons on loopback answering SN22's synapses from the devnet's corpus (a real full-text
 * index): the streaming AI search (tool results, link scores, an extractive summary token by token, the
 * completion), X search, X by id and by URLs, web search, and IsAlive with a manifest. Behaviours: good, slow,
 * one that invents links and tweets, one that drops the stream midway, one that goes offline after a minute.
 */
import type { KeyringPair } from "@polkadot/keyring/types";
import { randomBytes } from "node:crypto";
import { Axon, pyJsonDumps, type RequestOf } from "../bittensor";
import { verifyHotkeySignatureOffThread } from "../crypto/verifier";
import {
  IsAliveSynapse,
  ScraperStreamingSynapse,
  TwitterIDSearchSynapse,
  TwitterSearchSynapse,
  TwitterURLsSearchSynapse,
  WebSearchSynapse,
  type Tweet,
} from "../search";
import { SearchCorpus, searchCorpus } from "./search-corpus";

export type SearchBehaviour = "good" | "slow" | "inventor" | "dropper" | "offline";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const stop = () => (clearTimeout(t), resolve());
    const t = setTimeout(() => (signal?.removeEventListener("abort", stop), resolve()), ms);
    signal?.addEventListener("abort", stop, { once: true });
  });

export interface SearchMinerOptions {
  /** "offline": the axon stops answering this long after it starts (default 60 s). */
  offlineAfterMs?: number;
  /** 1: answer at a believable pace (the scoring's timing window); 0: as fast as possible (benchmarks). */
  pace?: number;
  corpus?: () => SearchCorpus;
}

export class DevnetSearchMiner {
  private axon: Axon;
  port = 0;
  private readonly pace: number;
  private readonly corpus: () => SearchCorpus;
  private offlineTimer: NodeJS.Timeout | null = null;
  private readonly offlineAfterMs: number;

  constructor(
    readonly pair: KeyringPair,
    readonly behaviour: SearchBehaviour,
    isRegistered: (hotkey: string) => Promise<boolean>,
    opts: SearchMinerOptions = {},
  ) {
    this.pace = (opts.pace ?? 1) * (behaviour === "slow" ? 2.6 : 1);
    this.corpus = opts.corpus ?? searchCorpus;
    this.offlineAfterMs = opts.offlineAfterMs ?? 60_000;
    this.axon = new Axon({
      signer: pair,
      externalIp: "127.0.0.1",
      verifier: verifyHotkeySignatureOffThread,
      blacklist: async (hotkey) => ((await isRegistered(hotkey)) ? null : `Hotkey ${hotkey} is not registered`),
    })
      .attach(IsAliveSynapse, () => ({
        manifest: { concurrency: { web_search: 4, x_search: 4, ai_search: 4 } },
      }))
      .attach(ScraperStreamingSynapse, (f, ctx) => this.aiSearch(f, ctx.signal))
      .attach(TwitterSearchSynapse, async (f, ctx) => {
        await sleep(1200 * this.pace, ctx.signal);
        return { results: this.tweets(f.query, f.count, f.start_date, f.end_date, f.user) };
      })
      .attach(TwitterIDSearchSynapse, async (f, ctx) => {
        await sleep(1200 * this.pace, ctx.signal);
        const t = this.corpus().post(f.id);
        return { results: t ? [t] : [] };
      })
      .attach(TwitterURLsSearchSynapse, async (f, ctx) => {
        await sleep(1200 * this.pace, ctx.signal);
        const ids = f.urls.map((u) => /\/status\/(\d+)/.exec(u)?.[1]).filter((x): x is string => !!x);
        return { results: ids.flatMap((id) => this.corpus().post(id) ?? []) };
      })
      .attach(WebSearchSynapse, async (f, ctx) => {
        await sleep(900 * this.pace, ctx.signal);
        const pages = this.corpus()
          .searchPages(f.query)
          .slice(f.start, f.start + Math.min(f.num, 100));
        return { results: this.lie(pages.map(SearchCorpus.toWebResult)) };
      });
  }

  get hotkey(): string {
    return this.pair.address;
  }

  /** The inventor answers with results that do not exist (real-looking titles and text, made-up links and ids). */
  private lie<T extends { link: string; title: string }>(items: T[]): T[] {
    if (this.behaviour !== "inventor") return items;
    return items.map((x) => ({
      ...x,
      link: `https://www.npmjs.com/package/${randomBytes(5).toString("hex")}`,
      title: `${x.title} (updated)`,
    }));
  }

  private lieTweets(items: Tweet[]): Tweet[] {
    if (this.behaviour !== "inventor") return items;
    return items.map((t) => {
      const id = `19${randomBytes(8).readBigUInt64BE().toString().slice(0, 17)}`;
      return { ...t, id, url: t.url?.replace(/\d+$/, id) ?? null, like_count: t.like_count * 7 + 100 };
    });
  }

  private tweets(
    query: string,
    count: number,
    start?: string | null,
    end?: string | null,
    user?: string | null,
  ): Tweet[] {
    const since = start ? Date.parse(start) : undefined;
    const until = end ? Date.parse(end) : undefined;
    return this.lieTweets(this.corpus().searchPosts(query, { since, until, user }).slice(0, Math.min(count, 100)));
  }

  private async *aiSearch(f: RequestOf<typeof ScraperStreamingSynapse>, signal: AbortSignal): AsyncGenerator<string> {
    const corpus = this.corpus();
    const since = f.start_date ? Date.parse(f.start_date) : undefined;
    const until = f.end_date ? Date.parse(f.end_date) : undefined;
    const count = f.count ?? 10;
    const send = (o: unknown) => pyJsonDumps(o);
    await sleep(600 * this.pace, signal);
    let tweets: Tweet[] = [];
    let pages: ReturnType<typeof SearchCorpus.toWebResult>[] = [];
    if (f.tools.includes("Twitter Search")) {
      tweets = this.lieTweets(corpus.searchPosts(f.prompt, { since, until, anyWord: true }).slice(0, count));
      yield send({ type: "tweets", content: tweets });
      await sleep(300 * this.pace, signal);
    }
    if (f.tools.includes("Web Search")) {
      const include = f.include_domains ?? [];
      const exclude = f.exclude_domains ?? [];
      pages = this.lie(
        corpus
          .searchPages(f.prompt)
          .filter((p) => {
            const host = new URL(p.link).host;
            return (!include.length || include.some((d) => host.endsWith(d))) && !exclude.some((d) => host.endsWith(d));
          })
          .slice(0, count)
          .map(SearchCorpus.toWebResult),
      );
      yield send({ type: "search", content: pages });
      await sleep(300 * this.pace, signal);
    }
    if (this.behaviour === "dropper") return; // the stream ends here, without summary or completion
    const links = [...tweets.map((t) => t.url ?? ""), ...pages.map((p) => p.link)].filter(Boolean);
    yield send({
      type: "miner_link_scores",
      content: Object.fromEntries(links.map((l, i) => [l, i < 3 ? "HIGH" : i < 8 ? "MEDIUM" : "LOW"])),
    });
    if (f.result_type === "ONLY_LINKS") return;
    // An extractive summary: the sentences of the results that share the most words with the prompt.
    const terms = new Set(f.prompt.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);
    const sentences = [...new Set([...pages.map((p) => p.snippet), ...tweets.map((t) => t.text.replace(/ #\w+$/, ""))])]
      .map((s) => ({ s, hits: (s.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []).filter((w) => terms.has(w)).length }))
      .sort((a, b) => b.hits - a.hits)
      .slice(0, 3)
      .map((x) => x.s);
    const summary = sentences.length ? sentences.join(" ") : "Nothing in the sources matches this prompt.";
    const tokens = summary.match(/\S+\s*/g) ?? [];
    const perToken = Math.max(0, (4200 * this.pace) / Math.max(tokens.length, 1));
    for (const token of tokens) {
      yield send({ type: "text", role: "summary", content: token });
      await sleep(perToken, signal);
    }
    yield send({ type: "completion", content: summary });
  }

  async start(port = 0): Promise<void> {
    this.port = await this.axon.listen(port);
    if (this.behaviour === "offline") {
      this.offlineTimer = setTimeout(() => void this.axon.close(), this.offlineAfterMs);
      this.offlineTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.offlineTimer) clearTimeout(this.offlineTimer);
    await this.axon.close();
  }
}
