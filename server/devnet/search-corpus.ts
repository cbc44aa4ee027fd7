/**
 * The devnet's searchable world: real text that is on every machine offline. Each README of the installed npm
 * packages is a web page at its registry URL, and its sentences are short posts on X by the package's account
 * (with a hashtag), dated over the last 14 days (so a week's X search finds most accounts). A MiniSearch full-text index answers the devnet's search
 * miners; `page` and `post` answer the scorer's re-fetches (the "source" a sampled link or tweet claims).
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import MiniSearch from "minisearch";
import { lazy } from "../global";
import type { Tweet, WebResult } from "../search";

export interface Page {
  link: string;
  title: string;
  snippet: string;
  text: string;
  date: string;
}

const DAY = 86_400_000;

function hashInt(s: string): number {
  return createHash("sha256").update(s).digest().readUInt32BE(0);
}

/** Markdown to plain sentences: code, HTML, images, link targets and badges dropped. */
function plain(md: string): string {
  return md
    .replace(/```[\s\S]*?```/g, " ")
    .replace(/`([^`]*)`/g, "$1")
    .replace(/<[^>]+>/g, " ")
    .replace(/^\s*\[[^\]]+\]:\s*\S+.*$/gm, " ")
    .replace(/\[?!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])\]?(?:\([^)]*\)|\[[^\]]*\])?/g, " ")
    .replace(/\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])/g, "$1")
    .replace(/^\s*[#>*|-]+/gm, " ")
    .replace(/[*_~|]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length >= 40 && s.length <= 260 && /^[A-Z]/.test(s));
}

export class SearchCorpus {
  readonly pages: Page[] = [];
  readonly posts: Tweet[] = [];
  private readonly pageByLink = new Map<string, Page>();
  private readonly postById = new Map<string, Tweet>();
  private readonly pageIndex = new MiniSearch<Page & { id: string }>({
    fields: ["title", "text"],
    storeFields: [],
    // Words or their starts, no fuzzy matching: an honest miner answers with pages that contain the query.
    searchOptions: { boost: { title: 3 }, prefix: true },
  });
  private readonly postIndex = new MiniSearch<{ id: string; text: string; username: string }>({
    fields: ["text", "username"],
    storeFields: [],
    // Every word of an X query must occur (as X search does), as a word or a word's start.
    searchOptions: { prefix: true, combineWith: "AND" },
  });

  constructor(
    modulesDir: string,
    readonly now = Date.now(),
  ) {
    const names = fs
      .readdirSync(modulesDir)
      .filter((n) => !n.startsWith(".") && !n.startsWith("@"))
      .sort();
    for (const name of names) {
      let md: string;
      try {
        md = fs.readFileSync(path.join(modulesDir, name, "README.md"), "utf8").slice(0, 200_000);
      } catch {
        continue;
      }
      const text = plain(md);
      if (text.length < 200) continue;
      const heading = /^#\s+(.+)$/m.exec(md)?.[1];
      const title = plain(heading ?? name).slice(0, 120) || name;
      const said = sentences(text);
      const page: Page = {
        link: `https://www.npmjs.com/package/${name}`,
        title: title.toLowerCase().includes(name.toLowerCase()) ? title : `${name}: ${title}`,
        snippet: (said[0] ?? text).slice(0, 300),
        text: text.slice(0, 20_000),
        date: new Date(this.now - (hashInt(`page:${name}`) % (365 * DAY))).toISOString(),
      };
      this.pages.push(page);
      this.pageByLink.set(page.link, page);
      const username = name.replace(/[^A-Za-z0-9_]/g, "_").slice(0, 15);
      const userId = String(1_000_000 + (hashInt(`user:${name}`) % 9_000_000));
      for (const [i, s] of said.slice(0, 8).entries()) {
        const h = hashInt(`post:${name}:${i}`);
        const id = `18${String(h).padStart(10, "0")}${String(i).padStart(2, "0")}`.slice(0, 19);
        const tweet: Tweet = {
          id,
          text: `${s} #${username}`,
          reply_count: h % 40,
          retweet_count: (h >>> 3) % 200,
          like_count: (h >>> 5) % 2000,
          quote_count: (h >>> 7) % 20,
          bookmark_count: (h >>> 9) % 50,
          view_count: 1000 + ((h >>> 11) % 100_000),
          created_at: new Date(this.now - (h % (14 * DAY))).toISOString(),
          url: `https://x.com/${username}/status/${id}`,
          is_quote_tweet: false,
          is_retweet: false,
          lang: "en",
          conversation_id: id,
          user: { id: userId, username, name },
        };
        this.posts.push(tweet);
        this.postById.set(id, tweet);
      }
    }
    this.pageIndex.addAll(this.pages.map((p) => ({ ...p, id: p.link })));
    this.postIndex.addAll(this.posts.map((t) => ({ id: t.id, text: t.text, username: t.user?.username ?? "" })));
  }

  searchPages(query: string, opts: { since?: number; until?: number; domains?: string[] } = {}): Page[] {
    return this.pageIndex
      .search(query)
      .map((r) => this.pageByLink.get(String(r.id))!)
      .filter((p) => inRange(p.date, opts.since, opts.until));
  }

  /** Posts for an X query: words, `from:<user>`, `#tag`; newest first when `latest`. */
  searchPosts(
    query: string,
    opts: { since?: number; until?: number; user?: string | null; anyWord?: boolean } = {},
  ): Tweet[] {
    const from = /(?:^|\s)from:(\w+)/.exec(query)?.[1] ?? opts.user ?? undefined;
    const words = query
      .replace(/(?:^|\s)from:\w+/g, " ")
      .replace(/[#$]/g, " ")
      .trim();
    const base = words
      ? this.postIndex
          .search(words, opts.anyWord ? { combineWith: "OR" } : {})
          .map((r) => this.postById.get(String(r.id))!)
      : from
        ? this.posts
        : [];
    return base.filter(
      (t) =>
        inRange(t.created_at, opts.since, opts.until) &&
        (!from || t.user?.username.toLowerCase() === from.toLowerCase()),
    );
  }

  page(link: string): Page | undefined {
    return this.pageByLink.get(link);
  }

  post(id: string): Tweet | undefined {
    return this.postById.get(id);
  }

  /** A word or two that occurs in the corpus, for synthetic queries. */
  topics(): string[] {
    return this.pages.map((p) => p.title.split(/[^A-Za-z]+/).find((w) => w.length >= 5) ?? "").filter(Boolean);
  }

  static toWebResult(p: Page): WebResult {
    return { title: p.title, snippet: p.snippet, link: p.link, date: p.date };
  }
}

function inRange(iso: string, since?: number, until?: number): boolean {
  const t = Date.parse(iso);
  return (since === undefined || t >= since) && (until === undefined || t <= until);
}

/** The corpus of this process (built on first use, from the project's node_modules). */
export const searchCorpus = lazy(() => new SearchCorpus(path.resolve("node_modules")));
