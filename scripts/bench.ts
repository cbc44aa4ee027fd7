/**
 * `npm run bench [phases|stream|submit ...]` (all by default): load on loopback against the built product.
 *   get_phase         GET /get_phase, dispatched by the custom server straight to the route handler
 *   get_phase via Next the same handler mounted by Next (GET /api/phase-service), for comparison
 * Uses wrk when installed (as the figures in the README were taken), autocannon otherwise.
 * Options (env): BENCH_CONNECTIONS (64), BENCH_SECONDS (10), BENCH_LOG_LEVEL (warn).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { ROOT, startServer } from "../tests/support/server";
import { benchValidator } from "./bench-validator";

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

async function phases(): Promise<boolean> {
  // Request logs go to a pipe the bench reads: BENCH_LOG_LEVEL=info measures with one log line per request.
  const server = await startServer({ LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn", SIM_START_BLOCK: "54321" });
  const wrk = hasWrk();
  const results: Result[] = [];
  try {
    for (const [name, p] of [
      ["GET /get_phase (custom server dispatch)", "/get_phase"],
      ["GET /api/phase-service (same handler through Next)", "/api/phase-service"],
    ] as const) {
      const url = server.url + p;
      // Warm up (JIT, connection pools) before measuring.
      if (wrk) execFileSync("wrk", ["-t2", `-c${connections}`, "-d3s", url], { stdio: "ignore" });
      else await autocannon({ url, connections, duration: 3 });
      const r = wrk ? runWrk(name, url) : await runAutocannon(name, url);
      results.push(r);
      console.log(
        `${r.name}: ${Math.round(r.rps)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}, non-2xx ${r.non2xx} (${r.tool}, ${connections} connections, ${seconds} s)`,
      );
    }
  } finally {
    await server.stop();
  }
  fs.mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, "bench-results", "phases.json"),
    JSON.stringify({ at: new Date().toISOString(), connections, seconds, results }, null, 2),
  );
  const main = results[0];
  const ok = main.rps >= 10_000 && main.p99 < 25 && main.errors === 0 && main.non2xx === 0;
  console.log(
    ok ? "goal met: >= 10,000 req/s, p99 < 25 ms, no errors" : "goal NOT met: >= 10,000 req/s, p99 < 25 ms, no errors",
  );
  return ok;
}

async function main() {
  if (!fs.existsSync(path.join(ROOT, ".next/BUILD_ID")))
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  const args = process.argv.slice(2);
  const which = args.length ? args : ["phases", "stream", "submit"];
  let ok = true;
  if (which.includes("phases")) ok = (await phases()) && ok;
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
