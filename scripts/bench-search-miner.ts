/**
 * Search miners for `npm run bench search`, in their own process (their CPU is not the console's): axons that
 * serve the streaming AI search ("paced": first chunk at 100 ms, then 20 summary tokens 20 ms apart; "fast":
 * 12 objects at once) and web search (answers remembered per query), plus the same streams over plain HTTP
 * (POST /stream?mode=...) for the Python relay peer. Prints {axons: [{hotkey, port}], plainPort} on stdout.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { Axon, pyJsonDumps } from "../server/bittensor";
import { ScraperStreamingSynapse, WebSearchSynapse } from "../server/search";
import { SearchCorpus } from "../server/devnet/search-corpus";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function* stream(mode: string, corpus: SearchCorpus): AsyncGenerator<string> {
  const results = corpus.pages.slice(0, 5).map(SearchCorpus.toWebResult);
  if (mode === "paced") await sleep(100);
  yield pyJsonDumps({ type: "search", content: results });
  yield pyJsonDumps({ type: "miner_link_scores", content: Object.fromEntries(results.map((r) => [r.link, "HIGH"])) });
  const tokens = mode === "paced" ? 20 : 9;
  for (let i = 0; i < tokens; i++) {
    if (mode === "paced") await sleep(20);
    yield pyJsonDumps({ type: "text", role: "summary", content: `token${i} ` });
  }
  yield pyJsonDumps({ type: "completion", content: "done" });
}

async function main() {
  await cryptoWaitReady();
  const corpus = new SearchCorpus(path.resolve("node_modules"));
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const count = Number(process.env.BENCH_SEARCH_AXONS ?? 4);
  const answers = new Map<string, ReturnType<typeof SearchCorpus.toWebResult>[]>();
  const axons = [];
  for (let i = 0; i < count; i++) {
    const pair = keyring.addFromUri(`//bench-search-${i}`);
    const axon = new Axon({ signer: pair, externalIp: "127.0.0.1" })
      .attach(ScraperStreamingSynapse, (f) => stream(f.prompt.startsWith("paced") ? "paced" : "fast", corpus))
      .attach(WebSearchSynapse, (f) => {
        const key = `${f.query}|${f.num}|${f.start}`;
        let results = answers.get(key);
        if (!results)
          answers.set(
            key,
            (results = corpus
              .searchPages(f.query)
              .slice(f.start, f.start + f.num)
              .map(SearchCorpus.toWebResult)),
          );
        return { results };
      });
    axons.push({ hotkey: pair.address, port: await axon.listen(0) });
  }
  const plain = http.createServer(async (req, res) => {
    const mode = new URL(req.url ?? "/", "http://x").searchParams.get("mode") ?? "fast";
    req.resume();
    res.writeHead(200, { "content-type": "text/event-stream" });
    for await (const chunk of stream(mode, corpus)) res.write(chunk);
    res.end();
  });
  plain.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  process.stdout.write(`${JSON.stringify({ axons, plainPort: (plain.address() as AddressInfo).port })}\n`);
}

void main();
