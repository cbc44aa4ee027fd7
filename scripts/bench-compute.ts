/**
 * `npm run bench compute`: the compute marketplace on loopback.
 *   resources  POST /list/resources_sql (filtered, page 3 of 50) with 10,000 machines in the inventory, against
 *              the built product: SQLite with the devnet on (as npm start) and off, and Postgres (devnet off)
 *              when BENCH_POSTGRES_URL or TEST_DATABASE_URL is set
 *   allocate   /service/allocate_spec on the devnet, request to credentials (then deallocated), sequential
 *   health     the allocation health check over 1,000 allocations on 1,000 devnet machines (another process),
 *              wall time and RSS growth of the checking process
 *   pog        a Proof of GPU round over 64 devnet machines (as npm start runs them, 10-block interval), its wall
 *              time against the devnet's interval, and GET /get_phase latency idle and during the round
 *   script     the Proof of GPU script on this machine's GPUs (or CPU), verified here: scripts/bench-pog-script.ts
 * Options (env): BENCH_CONNECTIONS (16 and 64), BENCH_SECONDS (10), BENCH_ALLOCATIONS (1000), BENCH_ALLOCATE_RUNS
 * (40), BENCH_HEALTH_RUNS (3).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { Prisma } from "../server/db";
import { benchPogScript } from "./bench-pog-script";
import { queryDatabase } from "../tests/support/db";
import { chainForConsole } from "../tests/support/local-chain";
import { createTestDatabase, signIn, startServer, trpc, type RunningServer } from "../tests/support/server";

const ROOT = path.resolve(__dirname, "..");
const KEY = "bench-compute-key-0123456789";
/** Both, unless BENCH_CONNECTIONS names one: a renter's client pool (16) and the benches' usual 64. */
const CONNECTIONS = process.env.BENCH_CONNECTIONS ? [Number(process.env.BENCH_CONNECTIONS)] : [16, 64];
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const GIB = 1024 ** 3;
const MODELS = [
  ["nvidia h100 80gb hbm3", 79.65],
  ["nvidia a100-sxm4-80gb", 80],
  ["nvidia geforce rtx 4090", 23.99],
  ["nvidia l40s", 44.99],
  ["nvidia rtx 6000 ada generation", 47.99],
  ["nvidia geforce rtx 3090", 24],
  ["nvidia h200", 139.8],
  ["nvidia a10g", 22.49],
] as const;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** 10,000 machines as the inventory job stores them (netuid of the server: NETUID 1 by default). */
async function seedInventory(databaseUrl: string, count: number) {
  const { createDb } = await import("../server/db");
  const db = createDb(databaseUrl);
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const now = new Date();
  const rows = Array.from({ length: count }, (_, i) => {
    const [name, gib] = MODELS[i % MODELS.length];
    const gpus = 1 + (Math.floor(i / MODELS.length) % 8);
    return {
      netuid: 1,
      hotkey: keyring.addFromSeed(new Uint8Array(32).fill(0).map((_, j) => (j < 4 ? (i >> (8 * j)) & 255 : 7))).address,
      state: "reported",
      cpuCount: 16 * gpus,
      gpuName: name,
      gpuCount: gpus,
      gpuCapacityGib: Math.round(gib * gpus * 100) / 100,
      ramGib: 64 * gpus,
      diskGib: 500 * gpus,
      specs: JSON.stringify({ cpu: { count: 16 * gpus }, ram: { total: 72 * gpus * GIB } }),
      checkedAt: now,
      lastSeenAt: now,
    };
  });
  for (let i = 0; i < rows.length; i += 1000) await db.computeMiner.createMany({ data: rows.slice(i, i + 1000) });
  await db.$disconnect();
}

const BODY = JSON.stringify({ gpu_name: "h100", gpu_capacity_min: 80, ram_total_min: 64 });

/** wrk (as the README's figures were taken) with a POST script; autocannon when wrk is not installed. */
async function loadResources(server: RunningServer, connections: number) {
  const url = `${server.url}/list/resources_sql?page_size=50&page_number=3`;
  if (spawnSync("wrk", ["--version"]).error === undefined) {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-wrk-")), "post.lua");
    fs.writeFileSync(
      script,
      `wrk.method = "POST"\nwrk.body = '${BODY}'\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = "Bearer ${KEY}"\n`,
    );
    const out = execFileSync("wrk", ["-t2", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", script, url], {
      encoding: "utf8",
    });
    const ms = (v: string | undefined) => {
      const m = /([\d.]+)(us|ms|s)/.exec(v ?? "");
      return m ? Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1) : NaN;
    };
    const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    return {
      tool: "wrk -t2",
      rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])),
      p50: ms(/\s50%\s+(\S+)/.exec(out)?.[1]),
      p99: ms(/\s99%\s+(\S+)/.exec(out)?.[1]),
      non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
      errors: errs ? errs.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
    };
  }
  const r = await autocannon({
    url,
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
    body: BODY,
    connections,
    duration: seconds,
  });
  return {
    tool: "autocannon",
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}

async function benchResources() {
  const configs: Array<[string, Record<string, string>, string | undefined]> = [
    ["SQLite, devnet on (as npm start)", {}, undefined],
    ["SQLite, devnet off", { DEVNET: "0" }, undefined],
  ];
  const pg = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_DATABASE_URL;
  if (pg) configs.push(["Postgres, devnet off", { DEVNET: "0" }, pg]);
  let ok = true;
  for (const [name, env, pgBase] of configs) {
    const databaseUrl = pgBase
      ? await createTestDatabase(pgBase)
      : `file:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-compute-")), "console.db")}`;
    // Without its devnet the console reads a chain node in the bench's process.
    const chain = env.DEVNET === "0" ? await chainForConsole({ blockTimeMs: 12_000 }) : null;
    // The server migrates the database at start; the inventory is added then.
    const server = await startServer({
      ...chain?.env,
      ...env,
      DATABASE_URL: databaseUrl,
      COMPUTE_API_KEY: KEY,
      LOG_LEVEL: "warn",
    });
    try {
      await seedInventory(databaseUrl, 10_000);
      const check = await fetch(`${server.url}/list/resources_sql?page_size=50&page_number=3`, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ gpu_name: "h100", gpu_capacity_min: 80, ram_total_min: 64 }),
      });
      const page = (await check.json()) as { data: { page_items: unknown[] } };
      if (page.data.page_items.length !== 50) throw new Error("the benchmark's query should fill page 3");
      for (const connections of CONNECTIONS) {
        const r = await loadResources(server, connections);
        ok &&= r.non2xx === 0 && r.errors === 0;
        console.log(
          `resources_sql, 10,000 machines, filtered, page 3 of 50, ${r.tool}, ${connections} connections, ${name}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`,
        );
      }
    } finally {
      await server.stop();
      await chain?.stop();
    }
  }
  return ok;
}

async function benchAllocate() {
  const runs = Number(process.env.BENCH_ALLOCATE_RUNS ?? 40);
  const server = await startServer({ COMPUTE_API_KEY: KEY, LOG_LEVEL: "warn" });
  const post = async (p: string, body?: unknown) => {
    const res = await fetch(server.url + p, {
      method: "POST",
      headers: { authorization: `Bearer ${KEY}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as { data?: { hotkey: string; uuid_key: string } } };
  };
  try {
    for (let i = 0; i < 150; i++) {
      const r = await fetch(server.url + "/list/count_all_gpus", {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}` },
      });
      if (((await r.json()) as { count: number }).count > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const times: number[] = [];
    let failures = 0;
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const a = await post("/service/allocate_spec", { requirements: { gpu_type: "4090", gpu_size: 40 } });
      times.push(performance.now() - t);
      if (a.status !== 200 || !a.body.data) {
        failures++;
        continue;
      }
      const d = await post(`/service/deallocate?hotkey=${a.body.data.hotkey}&uuid_key=${a.body.data.uuid_key}`);
      if (d.status !== 200) failures++;
    }
    times.sort((a, b) => a - b);
    console.log(
      `allocate_spec on the devnet (check, RSA-2048 key, Allocate, sealed credentials opened), ${runs} sequential: p50 ${percentile(times, 0.5).toFixed(0)} ms, p90 ${percentile(times, 0.9).toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms, failures ${failures}`,
    );
    return failures === 0;
  } finally {
    await server.stop();
  }
}

/** Child mode: `count` devnet machines, each rented with the key in `pemFile`; prints their ports. */
async function serveMachines(count: number, pemFile: string) {
  await cryptoWaitReady();
  const { DevnetComputeMiner, DEVNET_MACHINES } = await import("../server/devnet/compute-miner");
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const publicKey = fs.readFileSync(pemFile, "utf8");
  const ports: number[] = [];
  for (let i = 0; i < count; i++) {
    const m = new DevnetComputeMiner(
      keyring.addFromUri(`//BenchMachine-${i}`),
      { ...DEVNET_MACHINES[i % 6] },
      async () => true,
    );
    await m.start();
    m.rental = { publicKey, since: Date.now() };
    ports.push(m.port);
  }
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  await new Promise(() => undefined);
}

function startMachines(count: number, pemFile: string): Promise<{ child: ChildProcess; ports: number[] }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "bench-compute.ts"), "--serve-machines", String(count), pemFile],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, LOG_LEVEL: "warn" } },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c;
      if (out.includes("\n")) resolve({ child, ports: JSON.parse(out.split("\n")[0]) as number[] });
    });
    child.on("exit", (code) => reject(new Error(`machines process exited with ${code}`)));
  });
}

async function benchHealth() {
  const count = Number(process.env.BENCH_ALLOCATIONS ?? 1000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-health-"));
  const databaseUrl = `file:${path.join(dir, "console.db")}`;
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    DEVNET: "0",
    NETUID: "27",
    VALIDATOR_HOTKEY_SEED: "//BenchHealthValidator",
    ALLOCATION_MAX_STRIKES: "1000",
    LOG_LEVEL: "warn",
  });
  await cryptoWaitReady();
  const { migrate } = await import("../server/db/migrate");
  await migrate(databaseUrl);
  const { db } = await import("../server/db");
  const { allocationKeys } = await import("../server/compute/sealing");
  const { checkAllocations } = await import("../server/compute/allocations/check");
  const { verifyHotkeySignatureOffThread } = await import("../server/crypto/verifier");
  const keys = await allocationKeys();
  const pemFile = path.join(dir, "regkey.pem");
  fs.writeFileSync(pemFile, keys.publicKey);
  const { child, ports } = await startMachines(count, pemFile);
  try {
    const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
    const hotkeys = ports.map((_, i) => keyring.addFromUri(`//BenchMachine-${i}`).address);
    await db().neuron.createMany({
      data: hotkeys.map((hotkey, uid) => ({
        netuid: 27,
        uid,
        hotkey,
        coldkey: hotkey,
        stake: "0",
        validatorPermit: false,
        axonIp: "127.0.0.1",
        axonPort: ports[uid],
      })),
    });
    const now = new Date();
    await db().allocation.createMany({
      data: hotkeys.map((hotkey, i) => ({
        uuid: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        netuid: 27,
        hotkey,
        live: `27:${hotkey}`,
        state: "active",
        regkey: keys.publicKey,
        timeline: 30,
        expiresAt: new Date(now.getTime() + 30 * 86_400_000),
      })),
    });
    await verifyHotkeySignatureOffThread("", "", ""); // the verification worker is part of the baseline
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    let ok = true;
    for (let run = 1; run <= Number(process.env.BENCH_HEALTH_RUNS ?? 3); run++) {
      const t = performance.now();
      const r = await checkAllocations();
      const ms = performance.now() - t;
      const online = await db().allocation.count({ where: { status: "ONLINE", state: "active" } });
      ok &&= r.checked === count && r.offline === 0 && online === count;
      (globalThis as { gc?: () => void }).gc?.();
      console.log(
        `health check of ${count} allocations on ${count} devnet machines (another process), run ${run}: ${(ms / 1000).toFixed(1)} s, ${r.checked} checked, ${online} ONLINE, ${r.offline} OFFLINE, peak RSS +${Math.round((peak - rssBefore) / 1048576)} MB, heap after ${Math.round(process.memoryUsage().heapUsed / 1048576)} MB`,
      );
    }
    clearInterval(sampler);
    return ok;
  } finally {
    child.kill();
    const { dendrite } = await import("../server/bittensor");
    dendrite.peek()?.close();
    await db().$disconnect();
  }
}

/** GET /get_phase latency for `ms` (autocannon, 16 connections): p50 and p99. */
async function phaseLatency(url: string, ms: number) {
  const r = await autocannon({ url: `${url}/get_phase`, connections: 16, duration: ms / 1000 });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99 };
}

async function benchPog() {
  // The interval is long here: the round is started by hand, once the inventory is in.
  const server = await startServer({
    COMPUTE_API_KEY: KEY,
    DEVNET_COMPUTE_MINERS: "64",
    DEVNET_MINERS: "2",
    POG_INTERVAL_BLOCKS: "100000",
    LOG_LEVEL: "warn",
  });
  try {
    for (let i = 0; i < 300; i++) {
      const r = await fetch(server.url + "/list/count_all_gpus", {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}` },
      });
      if ((((await r.json()) as { count?: number }).count ?? 0) >= 100) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const idle = await phaseLatency(server.url, 5000);
    const cookie = (await signIn(server.url, "admin", "test-admin-password"))!;
    const runs = async () =>
      (
        await queryDatabase<{ n: number }>(
          server.databaseUrl,
          Prisma.sql`SELECT COUNT(*) AS n FROM "PogRun" WHERE "finishedAt" IS NOT NULL`,
        )
      )[0].n;
    const t = performance.now();
    await trpc(server.url, "compute.runProof", undefined, cookie);
    const during = await phaseLatency(server.url, 5000);
    // 56 of the 64 machines have GPUs (one profile in eight is CPU only).
    while (Number(await runs()) < 56 && performance.now() - t < 600_000) await new Promise((r) => setTimeout(r, 250));
    const seconds = (performance.now() - t) / 1000;
    const passed = await queryDatabase<{ n: number }>(
      server.databaseUrl,
      Prisma.sql`SELECT COUNT(*) AS n FROM "PogRun" WHERE "passed" = true`,
    );
    const epoch = (10 * 12_000) / 1000;
    console.log(
      `Proof of GPU round over 64 devnet machines (56 with GPUs, POG_CONCURRENCY 16, n = 128): ${seconds.toFixed(1)} s (the devnet's interval: ${epoch} s), ${Number(await runs())} runs, ${Number(passed[0].n)} passed`,
    );
    console.log(
      `GET /get_phase, 16 connections: idle ${idle.rps} req/s, p50 ${idle.p50} ms, p99 ${idle.p99} ms; during the round ${during.rps} req/s, p50 ${during.p50} ms, p99 ${during.p99} ms`,
    );
    return seconds < epoch && Number(await runs()) >= 56;
  } finally {
    await server.stop();
  }
}

export async function benchCompute(which: string[]): Promise<boolean> {
  let ok = true;
  const all = !which.some((w) => ["resources", "allocate", "health", "pog", "script"].includes(w));
  if (all || which.includes("resources")) ok = (await benchResources()) && ok;
  if (all || which.includes("allocate")) ok = (await benchAllocate()) && ok;
  if (all || which.includes("health")) ok = (await benchHealth()) && ok;
  if (all || which.includes("pog")) ok = (await benchPog()) && ok;
  if (all || which.includes("script")) ok = (await benchPogScript()) && ok;
  return ok;
}

if (process.argv[2] === "--serve-machines") void serveMachines(Number(process.argv[3]), process.argv[4]);
else if (require.main === module) void benchCompute(process.argv.slice(2)).then((ok) => process.exit(ok ? 0 : 1));
