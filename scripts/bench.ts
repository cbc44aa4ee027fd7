/**
 * `npm run bench [phases|stream|submit ...]` (all by default): load on loopback against the built product.
 *   phases  GET /get_phase dispatched by the custom server, with the devnet off, on (as npm start) and on with
 *           fast blocks; the same handler through Next; and the FastAPI peer (scripts/peers) when installed
 *   wire    the bittensor axon (verified requests/s) and dendrite (forward to 256 axons): scripts/bench-wire.ts
 *   compute /list/resources_sql over 10,000 machines, allocation latency on the devnet, the health check of 1,000
 *           allocations: scripts/bench-compute.ts (`compute resources|allocate|health` for one part)
 *   devnet  start time, the console's and the devnet process's RSS, /get_phase during a Proof of GPU round over
 *           64 devnet machines: scripts/bench-devnet.ts
 *   search  500 concurrent /search SSE streams, the relay against a FastAPI + aiohttp peer, /web/search:
 *           scripts/bench-search.ts (`search sse|relay|web` for one part)
 * Uses wrk when installed (as the figures in the README were taken), autocannon otherwise.
 * Options (env): BENCH_CONNECTIONS (64), BENCH_SECONDS (10), BENCH_LOG_LEVEL (warn).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { ROOT, startServer } from "../tests/support/server";
import { chainForConsole } from "../tests/support/local-chain";
import { benchValidator } from "./bench-validator";
import { benchCompute } from "./bench-compute";
import { benchWire } from "./bench-wire";
import { startPythonPeer } from "./bench-peer";
import { benchSearch } from "./bench-search";
import { benchDevnet } from "./bench-devnet";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

interface Result {
  name: string;
  tool: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function hasWrk(): boolean {
  return spawnSync("wrk", ["--version"]).error === undefined;
}

function parseWrkLatency(v: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(v);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
}

function runWrk(name: string, url: string): Result {
  const out = execFileSync("wrk", ["-t2", `-c${connections}`, `-d${seconds}s`, "--latency", url], { encoding: "utf8" });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = parseWrkLatency(/\s50%\s+(\S+)/.exec(out)?.[1] ?? "");
  const p99 = parseWrkLatency(/\s99%\s+(\S+)/.exec(out)?.[1] ?? "");
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    name,
    tool: "wrk -t2",
    rps,
    p50,
    p99,
    errors: errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    non2xx,
  };
}

async function runAutocannon(name: string, url: string): Promise<Result> {
  const r = await autocannon({ url, connections, duration: seconds });
  return {
    name,
    tool: "autocannon",
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/** The FastAPI peer (scripts/peers/phase_service.py) under uvicorn, when python3 has both; else null. */
function startPeer() {
  return startPythonPeer({
    app: "phase_service:app",
    imports: ["fastapi", "uvicorn"],
    readyPath: "/get_phase",
    env: { START_BLOCK: "54321" },
  });
}

async function measure(name: string, url: string): Promise<Result> {
  const wrk = hasWrk();
  // Warm up (JIT, connection pools) before measuring.
  if (wrk) execFileSync("wrk", ["-t2", `-c${connections}`, "-d3s", url], { stdio: "ignore" });
  else await autocannon({ url, connections, duration: 3 });
  const r = wrk ? runWrk(name, url) : await runAutocannon(name, url);
  console.log(
    `${r.name}: ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}, non-2xx ${r.non2xx} (${r.tool}, ${connections} connections, ${seconds} s)`,
  );
  return r;
}

async function withServer<T>(env: Record<string, string>, run: (url: string) => Promise<T>): Promise<T> {
  // Without its devnet the console reads a chain node elsewhere (here, in the bench's process: 12 s blocks).
  const chain = env.DEVNET === "0" ? await chainForConsole({ startBlock: 54321, blockTimeMs: 12_000 }) : null;
  // Request logs go to a pipe the bench reads: BENCH_LOG_LEVEL=info measures with one log line per request.
  const server = await startServer({
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn",
    SIM_START_BLOCK: "54321",
    ...chain?.env,
    ...env,
  });
  try {
    // A console on another node answers 400 until its first head arrives: measure once it has one.
    const deadline = Date.now() + 30_000;
    while ((await fetch(`${server.url}/get_phase`)).status !== 200) {
      if (Date.now() > deadline) throw new Error("the console has no chain head after 30 s");
      await new Promise((r) => setTimeout(r, 100));
    }
    return await run(server.url);
  } finally {
    await server.stop();
    await chain?.stop();
  }
}

async function phases(): Promise<boolean> {
  const results: Result[] = [];
  // The devnet as `npm start` runs it (12 s blocks: its miners download and train when the server starts in
  // Train), off as in production, and with 250 ms blocks: a whole training round every 11 s, the worst case.
  results.push(await withServer({ DEVNET: "0" }, (url) => measure("GET /get_phase, DEVNET=0", `${url}/get_phase`)));
  results.push(await withServer({}, (url) => measure("GET /get_phase, devnet on (npm start)", `${url}/get_phase`)));
  results.push(
    await withServer({ BLOCK_TIME_MS: "250" }, (url) =>
      measure("GET /get_phase, devnet on, 250 ms blocks", `${url}/get_phase`),
    ),
  );
  results.push(
    await withServer({ DEVNET: "0", REST_FAST_PATH: "0" }, (url) =>
      measure("GET /get_phase through Next's pipeline (REST_FAST_PATH=0)", `${url}/get_phase`),
    ),
  );
  const peer = await startPeer();
  if (peer) {
    try {
      results.push(await measure("peer: FastAPI phase service (uvicorn, 1 worker)", `${peer.url}/get_phase`));
    } finally {
      peer.stop();
    }
  } else
    console.log(
      "peer: skipped (python3 with fastapi and uvicorn not found: apt-get install python3-fastapi python3-uvicorn)",
    );
  fs.mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, "bench-results", "phases.json"),
    JSON.stringify({ at: new Date().toISOString(), connections, seconds, results }, null, 2),
  );
  const ok = results.slice(0, 3).every((r) => r.rps >= 10_000 && r.p99 < 25 && r.errors === 0 && r.non2xx === 0);
  console.log(
    ok
      ? "goal met with the devnet on and off: >= 10,000 req/s, p99 < 25 ms, no errors"
      : "goal NOT met with the devnet on and off: >= 10,000 req/s, p99 < 25 ms, no errors",
  );
  return ok;
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, ".next/BUILD_ID")))
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  const args = process.argv.slice(2);
  const which = args.length ? args : ["phases", "devnet", "stream", "submit", "wire", "compute", "search"];
  let ok = true;
  if (which.includes("phases")) ok = (await phases()) && ok;
  if (which.includes("wire")) ok = (await benchWire()) && ok;
  if (which.includes("compute")) ok = (await benchCompute(which)) && ok;
  if (which.includes("search")) ok = (await benchSearch(which)) && ok;
  if (which.includes("devnet")) ok = (await benchDevnet()) && ok;
  if (which.includes("stream") || which.includes("submit")) {
    const r = await benchValidator(which);
    fs.mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
    fs.writeFileSync(
      path.join(ROOT, "bench-results", "validator.json"),
      JSON.stringify({ at: new Date().toISOString(), ...r }, null, 2),
    );
  }
  process.exitCode = ok ? 0 : 1;
}

void main();
