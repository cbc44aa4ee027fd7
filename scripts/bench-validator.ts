/**
 * Validator API benchmarks (part of `npm run bench`):
 *   stream  a generated model of BENCH_MODEL_GB (2) GB: /model/full and /model/partial throughput on
 *           loopback against `cat > /dev/null` of the same shards, and server memory growth while 4
 *           downloads run at once
 *   submit  256 distinct signed submissions sent at once in the Submission phase: all 202, none lost,
 *           latency percentiles (on TEST_DATABASE_URL's Postgres too when it is set). A burst of 16 goes
 *           first so the server is warm; BENCH_SUBMIT_COLD=1 sends the 256 to a server that has not yet
 *           served a submission.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { composeHeader } from "../server/models/safetensors";
import { signSubmission } from "../server/validator/message";
import { ROOT, signIn, startServer, trpc, type RunningServer } from "../tests/support/server";

const TOKEN = "bench-token-0123456789abcdef";
const results: Record<string, unknown> = {};

/** Writes a model of about `gb` GB in two shards: big F16 expert and shared tensors. */
function writeBigModel(dir: string, gb: number) {
  fs.mkdirSync(dir, { recursive: true });
  const layers = 8;
  const experts = 16;
  const expertBytes = Math.floor((gb * 1024 ** 3) / (layers * experts * 2 + 4)); // up+down per expert, plus shared
  const cols = 2048;
  const rows = Math.max(1, Math.floor(expertBytes / 2 / cols));
  const noise = Buffer.alloc(1 << 20);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  const tensorsOf = (names: string[], shape: number[]) => names.map((name) => ({ name, dtype: "F16", shape }));
  const shards = [0, 1].map((s) => {
    const names: Array<{ name: string; dtype: string; shape: number[] }> = [];
    if (s === 0) names.push(...tensorsOf(["model.embed_tokens.weight", "lm_head.weight"], [rows * 2, cols]));
    for (let l = s * (layers / 2); l < (s + 1) * (layers / 2); l++) {
      names.push(...tensorsOf([`model.layers.${l}.mlp.gate.weight`], [experts, cols]));
      for (let e = 0; e < experts; e++)
        names.push(
          ...tensorsOf(
            [
              `model.layers.${l}.mlp.experts.${e}.up_proj.weight`,
              `model.layers.${l}.mlp.experts.${e}.down_proj.weight`,
            ],
            [rows, cols],
          ),
        );
    }
    return names;
  });
  const files: string[] = [];
  for (const [i, tensors] of shards.entries()) {
    const file = path.join(dir, `model-0000${i + 1}-of-00002.safetensors`);
    const { header, dataBytes } = composeHeader(tensors);
    const fd = fs.openSync(file, "w");
    fs.writeSync(fd, header);
    for (let left = dataBytes; left > 0; left -= noise.length) fs.writeSync(fd, noise, 0, Math.min(left, noise.length));
    fs.closeSync(fd);
    files.push(file);
  }
  fs.writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({ model_type: "bench_moe", num_hidden_layers: layers, num_experts: experts }),
  );
  return files;
}

function dropCaches(): boolean {
  try {
    execFileSync("sync");
    fs.writeFileSync("/proc/sys/vm/drop_caches", "3");
    return true;
  } catch {
    return false;
  }
}

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

/** The node process that runs the server (tsx starts it as a child). */
function serverPid(s: RunningServer): number {
  const r = spawnSync("pgrep", ["-P", String(s.process.pid)], { encoding: "utf8" });
  return Number(r.stdout.trim().split("\n")[0]) || s.process.pid!;
}

function download(
  url: string,
  headers: Record<string, string>,
): Promise<{ bytes: number; ms: number; status: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let bytes = 0;
        res.on("data", (c: Buffer) => (bytes += c.length));
        res.on("end", () => resolve({ bytes, ms: performance.now() - started, status: res.statusCode ?? 0 }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

const b64url = (u8: Uint8Array) => Buffer.from(u8).toString("base64url");
const mbps = (bytes: number, ms: number) => Math.round(bytes / 1024 / 1024 / (ms / 1000));

async function stream() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const validator = keyring.addFromUri("//bench-validator");
  const miner = keyring.addFromUri("//bench-miner");
  const gb = Number(process.env.BENCH_MODEL_GB ?? 2);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "console-bench-"));
  const modelDir = path.join(work, "model");
  console.log(`writing a ${gb} GB model…`);
  const files = writeBigModel(modelDir, gb);
  const total = files.reduce((n, f) => n + fs.statSync(f).size, 0);
  const dbUrl = `file:${path.join(work, "console.db")}`;
  console.log("publishing (validates headers, hashes every download once)…");
  const t0 = performance.now();
  execFileSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules/tsx/dist/cli.mjs"),
      path.join(ROOT, "scripts/model-publish.ts"),
      modelDir,
      "--version",
      "bench",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: dbUrl, EXPERT_GROUPS: "8", LOG_LEVEL: "warn" },
      stdio: "inherit",
    },
  );
  results.publishSeconds = +((performance.now() - t0) / 1000).toFixed(1);
  const server = await startServer({
    DATABASE_URL: dbUrl,
    EXPERT_GROUPS: "8",
    BZ_AUTH_TOKEN: TOKEN,
    VALIDATOR_HOTKEYS: validator.address,
    DEVNET: "1",
    DEVNET_MINERS: "0",
    DEVNET_MINER_HOTKEYS: miner.address,
    MODELS_DIR: path.join(work, "models"),
  });
  try {
    const cold = dropCaches();
    let t = performance.now();
    execFileSync("sh", ["-c", `cat ${files.map((f) => `'${f}'`).join(" ")} > /dev/null`]);
    const catMs = performance.now() - t;
    const signed = () => {
      const ts = Math.floor(Date.now() / 1000);
      return {
        authorization: `Bearer ${TOKEN}`,
        "x-hotkey": validator.address,
        "x-timestamp": String(ts),
        "x-signature": b64url(validator.sign(new TextEncoder().encode(`${ts}.GET./model/full`))),
      };
    };
    if (cold) dropCaches();
    const full = await download(`${server.url}/model/full`, signed());
    if (cold) dropCaches();
    const partial = await download(`${server.url}/model/partial`, {
      authorization: `Bearer ${TOKEN}`,
      "x-expert-group": "3",
      "x-hotkey": miner.address,
    });
    // Memory while 4 full downloads run at once.
    const pid = serverPid(server);
    const before = rssOf(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 50);
    t = performance.now();
    const four = await Promise.all([0, 1, 2, 3].map(() => download(`${server.url}/model/full`, signed())));
    const fourMs = performance.now() - t;
    clearInterval(sampler);
    results.stream = {
      modelBytes: total,
      pageCacheDropped: cold,
      catMBps: mbps(total, catMs),
      fullMBps: mbps(full.bytes, full.ms),
      fullVsCat: +(full.ms ? catMs / full.ms : 0).toFixed(2),
      partialMBps: mbps(partial.bytes, partial.ms),
      partialBytes: partial.bytes,
      fourConcurrentMBps: mbps(
        four.reduce((n, d) => n + d.bytes, 0),
        fourMs,
      ),
      rssBeforeMB: Math.round(before / 2 ** 20),
      rssPeakMB: Math.round(peak / 2 ** 20),
      rssGrowthMB: Math.round((peak - before) / 2 ** 20),
      statuses: [full.status, partial.status, ...four.map((d) => d.status)],
    };
    console.log("stream:", results.stream);
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** CPU time (user + system, ms) used so far by a process and its descendants, from /proc (10 ms ticks). */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const own = (Number(fields[11]) + Number(fields[12])) * 10;
  const children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  return own + children.reduce((sum, c) => sum + cpuMs(Number(c)), 0);
}

async function submit(label: string, databaseUrl?: string) {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const miners: KeyringPair[] = Array.from({ length: 16 }, (_, i) => keyring.addFromUri(`//bench-submitter-${i}`));
  const env: Record<string, string> = {
    BZ_AUTH_TOKEN: TOKEN,
    DEVNET_MINERS: "0",
    DEVNET_MINER_HOTKEYS: miners.map((m) => m.address).join(","),
    SIM_START_BLOCK: "54346",
    BLOCK_TIME_MS: "3600000",
    MODELS_DIR: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "console-bench-")), "models"),
  };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  if (process.env.BENCH_JOB_POLL_MS) env.JOB_POLL_MS = process.env.BENCH_JOB_POLL_MS;
  const server = await startServer(env);
  try {
    const admin = (await signIn(server.url, "admin", "test-admin-password"))!;
    await trpc(server.url, "phases.setSimulatedHead", { block: 54346 }, admin);
    const signed = (m: KeyringPair, j: number, block: number) =>
      JSON.stringify(
        signSubmission(m, {
          expert_group: j % 4,
          checkpoint_url: `http://127.0.0.1:9/${m.address}/${j}.safetensors`,
          block_number: block,
        }),
      );
    const bodies = miners.flatMap((m) => Array.from({ length: 16 }, (_, j) => signed(m, j, 54320 + j)));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const post = (body: string) =>
      new Promise<{ status: number; ms: number }>((resolve, reject) => {
        const started = performance.now();
        const req = http.request(
          `${server.url}/submit`,
          { method: "POST", agent, headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` } },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const percentiles = (out: Array<{ ms: number }>) => {
      const lat = out.map((o) => o.ms).sort((a, b) => a - b);
      const q = (p: number) => +lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(1);
      return { p50ms: q(0.5), p99ms: q(0.99), maxMs: +lat[lat.length - 1].toFixed(1) };
    };
    // The first burst a fresh server sees also pays for loading and compiling its code paths; it is
    // reported on its own. The measured burst then meets a server that has served submissions before.
    const BURST_MODE = process.env.BENCH_SUBMIT_COLD === "1" ? "cold" : "warm";
    let firstBurst: ReturnType<typeof percentiles> | null = null;
    if (BURST_MODE === "warm") {
      const warm = await Promise.all(miners.map((m, i) => post(signed(m, i, 54346))));
      if (warm.some((o) => o.status !== 202)) throw new Error(`warm-up refused: ${warm.map((o) => o.status)}`);
      firstBurst = percentiles(warm);
    }
    const cpuBefore = cpuMs(server.process.pid!);
    const t = performance.now();
    const out = await Promise.all(bodies.map(post));
    const wall = performance.now() - t;
    const serverCpuMs = cpuMs(server.process.pid!) - cpuBefore;
    const stored = await trpc(server.url, "validator.submissions", { limit: 500 }, admin, "query");
    const r = {
      sent: bodies.length,
      accepted: out.filter((o) => o.status === 202).length,
      other: out.filter((o) => o.status !== 202).map((o) => o.status),
      stored: (stored.body.result!.data.json as unknown[]).length - (firstBurst ? miners.length : 0),
      server: BURST_MODE,
      ...percentiles(out),
      wallMs: Math.round(wall),
      serverCpuMs,
      ...(firstBurst ? { firstBurstOf16: firstBurst } : {}),
    };
    results[`submit_${label}`] = r;
    console.log(`submit (${label}):`, r);
    agent.destroy();
  } finally {
    await server.stop();
  }
}

export async function benchValidator(which: string[]) {
  if (which.includes("stream")) await stream();
  if (which.includes("submit")) {
    await submit("sqlite");
    if (process.env.TEST_DATABASE_URL) {
      const { createTestDatabase } = await import("../tests/support/server");
      await submit("postgres", await createTestDatabase(process.env.TEST_DATABASE_URL));
    }
  }
  return results;
}
