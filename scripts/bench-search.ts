/**
 * `npm run bench search`: the organic search API on loopback, against search miners in another process
 * (scripts/bench-search-miner.ts; real axons, the bittensor wire).
 *   sse   500 concurrent POST /search streams ("paced" miner: first chunk at 100 ms, 20 tokens 20 ms apart):
 *         all complete; time to first byte through the console vs straight from the miners (the bench's own
 *         dendrite, same load): the console's added p99; the console's peak RSS. With the devnet as npm start
 *         runs it, and quiet (no training miners or compute machines).
 *   relay streams per second and latency over 10 s with 500 clients in a closed loop ("fast" miner: 12 objects at
 *         once), the console against the peer: a FastAPI + aiohttp relay in upstream's style
 *         (scripts/peers/search_relay.py, Debian's python3-fastapi, python3-uvicorn, python3-aiohttp)
 *   web   GET /web/search at 64 connections (wrk)
 * Options (env): BENCH_STREAMS (500), BENCH_SECONDS (10), BENCH_CONNECTIONS (64 for web).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import readline from "node:readline";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { Dendrite } from "../server/bittensor";
import { verifyHotkeySignatureOffThread } from "../server/crypto/verifier";
import { ScraperStreamingSynapse } from "../server/search";
import { streamFields } from "../server/search/relay";
import { rssMb } from "../tests/support/probe";
import { ROOT, startServer, type RunningServer } from "../tests/support/server";
import { startPythonPeer } from "./bench-peer";

const KEY = "Bench-Search-Key-0123!";
const STREAMS = Number(process.env.BENCH_STREAMS ?? 500);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * p))] : NaN;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;

interface Miners {
  axons: Array<{ hotkey: string; port: number }>;
  plainPort: number;
  child: ChildProcess;
}

async function startMiners(): Promise<Miners> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/bench-search-miner.ts")], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once("line", resolve);
    child.once("exit", (c) => reject(new Error(`bench miners exited with ${c}`)));
  });
  return { ...(JSON.parse(line) as Omit<Miners, "child">), child };
}

interface StreamStats {
  /** A few reasons of failed streams. */
  why: string[];
  completed: number;
  failed: number;
  ttfb: number[];
  total: number[];
  seconds: number;
}

/** One SSE POST; resolves with its first-byte and total times (ms), or rejects. */
function oneStream(agent: http.Agent, url: URL, headers: Record<string, string>, body: string) {
  return new Promise<{ ttfb: number; total: number; text: string }>((resolve, reject) => {
    const t0 = performance.now();
    let ttfb = -1;
    let text = "";
    const req = http.request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
      (res) => {
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          if (ttfb < 0) ttfb = performance.now() - t0;
          text += c;
        });
        res.on("end", () =>
          res.statusCode === 200
            ? resolve({ ttfb, total: performance.now() - t0, text })
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** `clients` concurrent streams: each once, or back to back for `seconds` (a closed loop). */
async function sseLoad(
  base: string,
  headers: Record<string, string>,
  prompt: string,
  clients: number,
  seconds = 0,
): Promise<StreamStats> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const url = new URL("/search", base);
  const body = JSON.stringify({ prompt, tools: ["Web Search"], count: 10 });
  const stats: StreamStats = { why: [], completed: 0, failed: 0, ttfb: [], total: [], seconds: 0 };
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      do {
        try {
          const r = await oneStream(agent, url, { ...headers, "content-type": "application/json" }, body);
          if (!r.text.includes('"completion"') || r.text.includes('{"error"'))
            throw new Error(`incomplete: ${r.text.slice(-160)}`);
          stats.completed++;
          stats.ttfb.push(r.ttfb);
          stats.total.push(r.total);
        } catch (e) {
          stats.failed++;
          if (stats.why.length < 3) stats.why.push((e as Error).message);
        }
      } while (seconds && performance.now() < until);
    }),
  );
  stats.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return stats;
}

/** The same streams straight from the miners with this process's own dendrite (the miners' own first byte). */
async function direct(miners: Miners, clients: number): Promise<number[]> {
  await cryptoWaitReady();
  // Configured as the console's: requests signed here, answers checked in the verification worker.
  const signer = new Keyring({ type: "sr25519" }).addFromUri("//bench-client");
  const d = new Dendrite({
    signer,
    maxSocketsPerAxon: clients,
    verifier: verifyHotkeySignatureOffThread,
  });
  const fields = streamFields({ prompt: "paced", tools: ["Web Search"], count: 10 });
  const ttfb: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      const a = miners.axons[i % miners.axons.length];
      const t0 = performance.now();
      let first = -1;
      for await (const _chunk of d.callStream(
        { ip: "127.0.0.1", port: a.port, hotkey: a.hotkey },
        ScraperStreamingSynapse,
        fields,
        { timeout: 30 },
      ))
        if (first < 0) first = performance.now() - t0;
      ttfb.push(first);
    }),
  );
  d.close();
  return ttfb;
}

async function withConsole<T>(
  miners: Miners,
  env: Record<string, string>,
  run: (s: RunningServer) => Promise<T>,
): Promise<T> {
  const server = await startServer({
    LOG_LEVEL: "warn",
    EXPECTED_ACCESS_KEY: KEY,
    SEARCH_NETUID: "22",
    DEVNET_MINER_AXONS: miners.axons.map((a) => `search:${a.hotkey}@127.0.0.1:${a.port}`).join(","),
    // The bench's miners do not serve IsAlive: no scoring epoch picks among them.
    SEARCH_EPOCH_S: "86400",
    ...env,
  });
  try {
    // Warm up: connections, JIT.
    await sseLoad(server.url, { "access-key": KEY }, "fast", 32);
    return await run(server);
  } finally {
    await server.stop();
  }
}

function startRelay(miners: Miners) {
  return startPythonPeer({
    app: "search_relay:app",
    imports: ["fastapi", "uvicorn", "aiohttp"],
    readyPath: "/docs",
    env: { MINER_URL: `http://127.0.0.1:${miners.plainPort}/stream` },
  });
}

export async function benchSearch(which: string[]): Promise<boolean> {
  const parts = which.filter((w) => ["sse", "relay", "web"].includes(w));
  const run = (p: string) => !parts.length || parts.includes(p);
  const miners = await startMiners();
  const out: Record<string, unknown> = {};
  let ok = true;
  try {
    if (run("sse")) {
      const own = await direct(miners, STREAMS);
      console.log(
        `miners' own first byte, ${STREAMS} streams at once (bench dendrite): p50 ${ms(pct(own, 0.5))}, p99 ${ms(pct(own, 0.99))}`,
      );
      for (const [name, env] of [
        ["devnet on (npm start)", {}],
        ["devnet quiet", { DEVNET_MINERS: "0", DEVNET_COMPUTE_MINERS: "0" }],
      ] as const) {
        await withConsole(miners, env, async (server) => {
          const idle = rssMb(server.process.pid!);
          let peak = idle;
          const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server.process.pid!))), 100);
          const s = await sseLoad(server.url, { "access-key": KEY }, "paced", STREAMS);
          clearInterval(sampler);
          const added = pct(s.ttfb, 0.99) - pct(own, 0.99);
          console.log(
            `/search x${STREAMS} at once, ${name}: ${s.completed} complete, ${s.failed} failed; first byte p50 ${ms(pct(s.ttfb, 0.5))}, p99 ${ms(pct(s.ttfb, 0.99))} (added p99 ${ms(added)}); whole stream p99 ${ms(pct(s.total, 0.99))}; console RSS ${idle.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB`,
          );
          out[`sse ${name}`] = {
            ...s,
            ttfb: undefined,
            total: undefined,
            ttfbP50: pct(s.ttfb, 0.5),
            ttfbP99: pct(s.ttfb, 0.99),
            addedP99: added,
            peakRssMb: peak,
          };
          if (s.failed) console.log(`  failed, e.g.: ${s.why.join(" | ")}`);
          ok = ok && s.failed === 0 && s.completed === STREAMS && added < 20 && peak < 300;
        });
      }
    }
    if (run("relay")) {
      const results: Array<{ name: string; rate: number; p50: number; p99: number; ttfbP99: number }> = [];
      await withConsole(miners, { DEVNET_MINERS: "0", DEVNET_COMPUTE_MINERS: "0" }, async (server) => {
        await sseLoad(server.url, { "access-key": KEY }, "fast", 32); // warmed up as the peer is
        const s = await sseLoad(server.url, { "access-key": KEY }, "fast", STREAMS, SECONDS);
        results.push({
          name: "console (bittensor wire to the miner)",
          rate: s.completed / s.seconds,
          p50: pct(s.total, 0.5),
          p99: pct(s.total, 0.99),
          ttfbP99: pct(s.ttfb, 0.99),
        });
        if (s.failed) console.log(`console: ${s.failed} streams failed`);
      });
      const relay = await startRelay(miners);
      if (relay) {
        try {
          await sseLoad(relay.url, {}, "fast", 32);
          const s = await sseLoad(relay.url, {}, "fast", STREAMS, SECONDS);
          results.push({
            name: "peer: FastAPI + aiohttp relay (uvicorn, 1 worker, plain HTTP to the miner)",
            rate: s.completed / s.seconds,
            p50: pct(s.total, 0.5),
            p99: pct(s.total, 0.99),
            ttfbP99: pct(s.ttfb, 0.99),
          });
          if (s.failed) console.log(`peer: ${s.failed} streams failed`);
        } finally {
          relay.stop();
        }
      } else console.log("peer: skipped (apt-get install python3-fastapi python3-uvicorn python3-aiohttp)");
      for (const r of results)
        console.log(
          `${r.name}: ${r.rate.toFixed(0)} streams/s with ${STREAMS} clients for ${SECONDS} s; stream p50 ${ms(r.p50)}, p99 ${ms(r.p99)}, first byte p99 ${ms(r.ttfbP99)}`,
        );
      if (results.length === 2) {
        const [c, p] = results;
        const met = c.rate >= 2 * p.rate && c.p99 <= p.p99;
        console.log(
          `relay goal (>= 2x the peer's throughput at equal or lower p99): ${met ? "met" : "NOT met"} (${(c.rate / p.rate).toFixed(2)}x)`,
        );
        ok = ok && met;
      }
      out.relay = results;
    }
    if (run("web")) {
      await withConsole(miners, { DEVNET_MINERS: "0", DEVNET_COMPUTE_MINERS: "0" }, async (server) => {
        const url = `${server.url}/web/search?query=parser&num=10`;
        execFileSync("wrk", ["-t2", `-c${CONNECTIONS}`, "-d3s", "-H", `access-key: ${KEY}`, url], { stdio: "ignore" });
        const text = execFileSync(
          "wrk",
          ["-t2", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "--latency", "-H", `access-key: ${KEY}`, url],
          { encoding: "utf8" },
        );
        const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
        const p99 = /\s99%\s+(\S+)/.exec(text)?.[1];
        const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
        console.log(
          `GET /web/search through the console, ${CONNECTIONS} connections (wrk): ${rps.toFixed(0)} req/s, p99 ${p99}, non-2xx ${non2xx}`,
        );
        out.web = { rps, p99, non2xx };
        ok = ok && rps >= 1500 && non2xx === 0;
      });
    }
  } finally {
    miners.child.kill();
  }
  fs.mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, "bench-results", "search.json"),
    JSON.stringify({ at: new Date().toISOString(), streams: STREAMS, seconds: SECONDS, ...out }, null, 2),
  );
  console.log(ok ? "search goals met" : "search goals NOT all met");
  return ok;
}
