/**
 * `npm run bench devnet`: what the devnet in its own process costs the console, with the console and the devnet
 * measured apart.
 *   - start: time from spawning the console (devnet on, as `npm start` runs it) to its first /get_phase answer;
 *   - memory: RSS of the console and of the devnet process after a minute of idling (search miners included);
 *   - proof of GPU: /get_phase p50/p99 (autocannon, 64 connections, 8 s) idle, then during a Proof of GPU round
 *     over 64 devnet machines, in the same run, with the CPU seconds of both processes. Goal: p99 within 1.5x;
 *   - the first scored round with BLOCK_TIME_MS=2000: from spawning the console to a submission scored.
 * Results go to bench-results/devnet.json.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { Prisma } from "../server/db";
import { queryDatabase } from "../tests/support/db";
import { rssMb } from "../tests/support/probe";
import { ROOT, signIn, startServer, trpc } from "../tests/support/server";

const IDLE_S = Number(process.env.BENCH_DEVNET_IDLE_S ?? 60);

/** The devnet process the console started (its only child running server/devnet/process.ts). */
function devnetPid(consolePid: number): number | null {
  try {
    const out = execFileSync("pgrep", ["-P", String(consolePid), "-f", "devnet/process.ts"], { encoding: "utf8" });
    return Number(out.trim().split("\n")[0]) || null;
  } catch {
    return null;
  }
}

/** CPU seconds a process has used, with its children that have exited (utime, stime, cutime, cstime). */
function cpuSeconds(pid: number): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return fields.slice(11, 15).reduce((a, f) => a + Number(f), 0) / 100;
  } catch {
    return 0; // it has just exited
  }
}

/** CPU seconds of a process and of every process below it, running or ended (the devnet's python3 included). */
function treeCpuSeconds(pid: number | null): number {
  if (!pid) return NaN;
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  for (const stack = [pid]; stack.length;) {
    const p = stack.pop()!;
    total += cpuSeconds(p);
    stack.push(...(children.get(p) ?? []));
  }
  return total;
}

async function load(url: string, seconds: number) {
  const r = await autocannon({ url: `${url}/get_phase`, connections: 64, duration: seconds });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts };
}

export async function benchDevnet(): Promise<boolean> {
  const out: Record<string, unknown> = {};
  let ok = true;

  // Start and memory, as npm start runs it (search miners on, Proof of GPU at its own pace).
  const t0 = performance.now();
  const server = await startServer({ DEVNET_SEARCH_MINERS: "6", POG_INTERVAL_BLOCKS: "10" });
  try {
    for (;;) {
      const r = await fetch(`${server.url}/get_phase`).catch(() => null);
      if (r?.status === 200) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const firstAnswerS = (performance.now() - t0) / 1000;
    console.log(`start: first /get_phase answer ${firstAnswerS.toFixed(1)} s after spawning the console`);
    await new Promise((r) => setTimeout(r, IDLE_S * 1000));
    const devnet = devnetPid(server.process.pid!);
    const samples: Array<[number, number]> = [];
    for (let i = 0; i < 10; i++) {
      samples.push([rssMb(server.process.pid!), devnet ? rssMb(devnet) : NaN]);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const consoleMb = median(samples.map((s) => s[0]));
    const devnetMb = median(samples.map((s) => s[1]));
    console.log(
      `memory after ${IDLE_S} s, devnet on: console RSS ${consoleMb.toFixed(0)} MB (goal < 250), devnet process ${devnetMb.toFixed(0)} MB`,
    );
    out.start = { firstAnswerS };
    out.memory = { idleS: IDLE_S, consoleMb, devnetMb };
    ok = consoleMb < 250 && ok;
  } finally {
    await server.stop();
  }

  // /get_phase idle and during a Proof of GPU round over 64 machines, in one run.
  const pog = await startServer({ DEVNET_COMPUTE_MINERS: "64", DEVNET_MINERS: "0", POG_CONCURRENCY: "16" });
  try {
    const admin = (await signIn(pog.url, "admin", "test-admin-password"))!;
    await new Promise((r) => setTimeout(r, 10_000)); // the first Specs round settles
    await load(pog.url, 3); // warm-up
    const consolePid = pog.process.pid!;
    const devnet = devnetPid(consolePid);
    const cpu = () => [cpuSeconds(consolePid), treeCpuSeconds(devnet)] as const;
    let c0 = cpu();
    const idle = await load(pog.url, 8);
    let c1 = cpu();
    const idleCpu = { console: c1[0] - c0[0], devnet: c1[1] - c0[1] };
    const started = await trpc(pog.url, "compute.runProof", undefined, admin);
    if (started.status !== 200)
      throw new Error(`compute.runProof answered ${started.status}: ${JSON.stringify(started.body)}`);
    for (;;) {
      const [row] = await queryDatabase<{ n: bigint | number }>(
        pog.databaseUrl,
        Prisma.sql`SELECT COUNT(*) AS "n" FROM "PogRun"`,
      );
      if (Number(row!.n) > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    c0 = cpu();
    const during = await load(pog.url, 8);
    c1 = cpu();
    const duringCpu = { console: c1[0] - c0[0], devnet: c1[1] - c0[1] };
    const [runs] = await queryDatabase<{ n: bigint | number }>(
      pog.databaseUrl,
      Prisma.sql`SELECT COUNT(*) AS "n" FROM "PogRun"`,
    );
    const ratio = during.p99 / Math.max(idle.p99, 1);
    console.log(
      `/get_phase idle: ${idle.rps} req/s, p50 ${idle.p50} ms, p99 ${idle.p99} ms; during a Proof of GPU round over 64 machines (${Number(runs!.n)} runs begun): ${during.rps} req/s, p50 ${during.p50} ms, p99 ${during.p99} ms (${ratio.toFixed(2)}x idle, goal <= 1.5x)`,
    );
    console.log(
      `CPU seconds in the 8 s windows (2 cores): idle console ${idleCpu.console.toFixed(1)}, devnet ${idleCpu.devnet.toFixed(1)}; during the round console ${duringCpu.console.toFixed(1)}, devnet and its programs ${duringCpu.devnet.toFixed(1)}`,
    );
    out.proofOfGpu = { idle, during, runsBegun: Number(runs!.n), ratio, idleCpu, duringCpu };
    ok = ratio <= 1.5 && idle.errors === 0 && during.errors === 0 && ok;
  } finally {
    await pog.stop();
  }
  // The first scored round with 2 s blocks: from spawning the console to a submission scored.
  const t1 = performance.now();
  const fast = await startServer({ BLOCK_TIME_MS: "2000", DEVNET_COMPUTE_MINERS: "0", DEVNET_SEARCH_MINERS: "0" });
  try {
    const deadline = Date.now() + 600_000;
    let scored = 0;
    while (Date.now() < deadline) {
      const [row] = await queryDatabase<{ n: bigint | number }>(
        fast.databaseUrl,
        Prisma.sql`SELECT COUNT(*) AS "n" FROM "Submission" WHERE "state" = 'scored'`,
      );
      scored = Number(row!.n);
      if (scored > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const firstScoredS = (performance.now() - t1) / 1000;
    console.log(
      scored
        ? `first scored round, BLOCK_TIME_MS=2000: a submission scored ${firstScoredS.toFixed(0)} s after spawning the console`
        : "first scored round, BLOCK_TIME_MS=2000: none within 10 minutes",
    );
    out.firstScoredRound = { blockTimeMs: 2000, seconds: scored ? firstScoredS : null };
    ok = scored > 0 && ok;
  } finally {
    await fast.stop();
  }
  fs.mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
  fs.writeFileSync(
    path.join(ROOT, "bench-results", "devnet.json"),
    JSON.stringify({ at: new Date().toISOString(), ...out }, null, 2),
  );
  return ok;
}
