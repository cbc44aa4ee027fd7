/**
 * Proof of GPU runs: rent an idle miner through the normal Allocate path, log in over SSH (ssh2), upload the
 * check script and verify its sha256 there, run gpu_info, benchmark, compute (per-GPU random 64-bit seeds)
 * and proof (one random cell per GPU), verify everything here, and always release the miner. Every step is
 * stored with its time and outcome; a miner's last runs decide whether it is verified.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";
import { db } from "../../db";
import { config, netuidOf } from "../../env";
import { lazy } from "../../global";
import { isAppError } from "../../errors";
import { log } from "../../log";
import { allocateHotkey } from "../allocations/allocate";
import { deallocate } from "../allocations/release";
import { publish } from "../events";
import { dockerRequirementSchema } from "../forms";
import { heldHotkeys, POG_RENTER } from "../market";
import { gpuEntry, gpuScore, sameGpu } from "./gpus";
import {
  challengeSize,
  checkCell,
  expectedFigures,
  identifyGpu,
  requiredPasses,
  tflops,
  timingGate,
  vramMatches,
  type CellAnswer,
} from "./verify";

/** The recurring job's kind (and unique key). */
export const POG_JOB = "compute.pog";
const SCRIPT_PATH = path.join(__dirname, "check.py");

let scriptDigest: string | undefined;
/** The sha256 (hex) of the Proof of GPU script the console uploads: the only program a devnet machine runs. */
export function pogScriptDigest(): string {
  return (scriptDigest ??= createHash("sha256").update(fs.readFileSync(SCRIPT_PATH)).digest("hex"));
}
const REMOTE = "/tmp/pog-check.py";
/** Largest output read from the miner per step (parsed as JSON, nothing else). */
const MAX_OUTPUT = 8 * 1024 * 1024;

/** SSH ciphers Node's crypto runs natively (ssh2's chacha20-poly1305 is JavaScript without its addon). */
export const NATIVE_SSH_CIPHERS: ssh2.CipherAlgorithm[] = [
  "aes128-gcm@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-ctr",
  "aes256-ctr",
];

/** Host keys known in advance (the devnet's machines): a login to another key is refused. */
const pinned = lazy(() => new Map<string, string>());
export function pinHostKey(hotkey: string, openSshPublicKey: string): void {
  pinned().set(hotkey, openSshPublicKey);
}

interface Step {
  step: string;
  ms: number;
  ok: boolean;
  detail?: string;
}

class PogFailure extends Error {}

function sshConnect(host: string, port: number, username: string, password: string, hotkey: string, timeoutMs: number) {
  const pin = pinned().get(hotkey);
  const expected = pin ? ssh2.utils.parseKey(pin) : null;
  return new Promise<ssh2.Client>((resolve, reject) => {
    const c = new ssh2.Client();
    c.on("ready", () => resolve(c));
    c.on("error", (e) => reject(new PogFailure(`SSH: ${e.message}`)));
    c.connect({
      host,
      port,
      username,
      password,
      readyTimeout: timeoutMs,
      // Every packet is encrypted on the event loop: natively, not in JavaScript.
      algorithms: { cipher: NATIVE_SSH_CIPHERS },
      hostVerifier: (key: Buffer) => {
        if (!expected || expected instanceof Error) return !pin; // unknown machines: no pin to check
        const want = expected.getPublicSSH();
        return key.length === want.length && timingSafeEqual(key, want);
      },
    });
  });
}

/** One command with an optional stdin, cut at its deadline; stdout capped. */
function sshExec(c: ssh2.Client, command: string, input: string | Buffer | null, timeoutMs: number) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    c.exec(command, (err, stream) => {
      if (err) return reject(new PogFailure(`SSH exec: ${err.message}`));
      const chunks: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(() => {
        stream.close();
        reject(new PogFailure(`${command.split(" ").slice(-1)[0]}: no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      // Output past the cap (stdout and stderr together) ends the command at once: the channel is closed and
      // the run fails (its connection is then ended), so a machine cannot keep the console decrypting.
      const count = (d: Buffer, keep: boolean) => {
        size += d.length;
        if (size <= MAX_OUTPUT) return void (keep && chunks.push(d));
        clearTimeout(timer);
        stream.removeAllListeners("data");
        stream.stderr.removeAllListeners("data");
        stream.close();
        reject(new PogFailure(`more than ${MAX_OUTPUT} bytes of output`));
      };
      stream.on("data", (d: Buffer) => count(d, true));
      stream.stderr.on("data", (d: Buffer) => count(d, false));
      stream.on("close", (code: number | null) => {
        clearTimeout(timer);
        if (size <= MAX_OUTPUT) resolve({ code, out: Buffer.concat(chunks).toString("utf8") });
      });
      if (input !== null) stream.end(input);
    });
  });
}

/** The last line of a step's output as JSON (the script prints one object there). */
function lastJson(out: string, step: string): Record<string, unknown> {
  const line = out.trim().split("\n").at(-1) ?? "";
  try {
    const v = JSON.parse(line) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw new PogFailure(`${step}: the answer is not a JSON object`);
}

const num = (v: unknown, what: string) => {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new PogFailure(`${what} is not a number`);
  return v;
};

/** n for the challenge: POG_MATRIX_N, 128 on the devnet, else from the measured VRAM as upstream. */
function matrixSize(vramGb: number): number {
  const c = config();
  if (c.POG_MATRIX_N) return c.POG_MATRIX_N;
  if (c.devnet) return 128;
  return challengeSize(vramGb);
}

/** Runs at once for a round over `idle` machines: a quarter of them, at least one, at most `limit`. */
export const pogConcurrency = (idle: number, limit: number) => Math.min(limit, idle, Math.max(1, Math.floor(idle / 4)));

export interface PogResult {
  hotkey: string;
  passed: boolean;
  reason: string;
  identified: string | null;
}

/** One run on one miner; the miner is released whatever happens. */
export async function proveMiner(hotkey: string): Promise<PogResult> {
  const c = config();
  const netuid = netuidOf("compute");
  const stepMs = c.POG_STEP_TIMEOUT_S * 1000;
  const miner = await db().computeMiner.findUnique({ where: { netuid_hotkey: { netuid, hotkey } } });
  const claimed = miner?.gpuName ?? null;
  const run = await db().pogRun.create({ data: { netuid, hotkey, claimedGpu: claimed } });
  const steps: Step[] = [];
  let identified: string | null = null;
  let gpus = 0;
  let uuid: string | null = null;
  let client: ssh2.Client | null = null;
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      const v = await fn();
      steps.push({ step: name, ms: Math.round(performance.now() - t), ok: true });
      return v;
    } catch (e) {
      steps.push({ step: name, ms: Math.round(performance.now() - t), ok: false, detail: (e as Error).message });
      throw e;
    }
  };
  let passed = false;
  let reason = "";
  try {
    const a = await step("allocate", () =>
      allocateHotkey(hotkey, dockerRequirementSchema.parse({}), POG_RENTER, 1).catch((e: unknown) => {
        if (!isAppError(e)) throw e;
        throw new PogFailure(`allocate: ${e.message}${typeof e.detail === "string" ? ` (${e.detail})` : ""}`);
      }),
    );
    uuid = a.uuid_key;
    client = await step("ssh", () => sshConnect(a.ssh_ip, a.ssh_port, a.ssh_username, a.ssh_password, hotkey, stepMs));
    const ssh = client;
    const script = fs.readFileSync(SCRIPT_PATH);
    const digest = pogScriptDigest();
    await step("upload", async () => {
      await sshExec(ssh, `cat > ${REMOTE}`, script, stepMs);
      const { out } = await sshExec(ssh, `sha256sum ${REMOTE}`, null, stepMs);
      if (out.split(/\s+/)[0] !== digest) throw new PogFailure("the uploaded script's sha256 differs on the miner");
    });
    const info = await step("gpu_info", async () =>
      lastJson((await sshExec(ssh, `python3 ${REMOTE} gpu_info`, "", stepMs)).out, "gpu_info"),
    );
    gpus = num(info.num_gpus, "num_gpus");
    const names = Array.isArray(info.gpu_names) ? info.gpu_names.map(String) : [];
    if (gpus < 1 || gpus > 64 || names.length !== gpus)
      throw new PogFailure(`gpu_info: ${gpus} GPUs, ${names.length} names`);
    const bench = await step("benchmark", async () =>
      lastJson((await sshExec(ssh, `python3 ${REMOTE} benchmark`, "", stepMs)).out, "benchmark"),
    );
    const fp16 = tflops(num(bench.size_fp16, "size_fp16"), num(bench.time_fp16, "time_fp16"));
    const timeFp32 = num(bench.time_fp32, "time_fp32");
    const fp32 = tflops(num(bench.size_fp32, "size_fp32"), timeFp32);
    const vram = num(bench.vram_gb, "vram_gb");
    const reported = names[0];
    identified = identifyGpu(fp16, fp32, vram, gpuEntry(reported)?.name ?? reported);
    if (claimed && !sameGpu(identified, claimed))
      throw new PogFailure(
        `claims ${claimed}, measures as ${identified} (${fp16.toFixed(0)} / ${fp32.toFixed(1)} TFLOPS)`,
      );
    // From here the console trusts the table, not the miner's figures: the VRAM must be the GPU's, and the
    // challenge's size and time allowance are the identified GPU's own.
    const expected = expectedFigures(identified);
    if (!expected) throw new PogFailure(`${identified} is not in the table`);
    if (!vramMatches(vram, expected.vramGb))
      throw new PogFailure(`reports ${vram.toFixed(2)} GB of VRAM; ${identified} measures ${expected.vramGb} GB`);
    const n = matrixSize(expected.vramGb);
    const seeds = Array.from({ length: gpus }, (): [bigint, bigint] => [
      randomBytes(8).readBigUInt64BE(),
      randomBytes(8).readBigUInt64BE(),
    ]);
    const seedsJson = seeds.map(([x, y]) => [x.toString(), y.toString()]);
    const started = performance.now();
    const computed = await step("compute", async () =>
      lastJson(
        (await sshExec(ssh, `python3 ${REMOTE} compute`, JSON.stringify({ n, seeds: seedsJson }), stepMs)).out,
        "compute",
      ),
    );
    const elapsed = (performance.now() - started) / 1000;
    const roots = new Map((computed.root_hashes as Array<[number, string]> | undefined)?.map(([g, h]) => [g, h]) ?? []);
    const times = ((computed.timings as Array<[number, { multiplication_time?: number }]> | undefined) ?? []).map(
      ([, t]) => num(t.multiplication_time, "multiplication_time"),
    );
    if (roots.size !== gpus) throw new PogFailure(`compute: ${roots.size} Merkle roots for ${gpus} GPUs`);
    const gate = timingGate(elapsed, times, expected.fp32Seconds, gpus);
    if (!gate.ok) throw new PogFailure(gate.reason);
    const cells = seeds.map(() => ({ i: randomInt(n), j: randomInt(n) }));
    const proved = await step("proof", async () =>
      lastJson(
        (
          await sshExec(
            ssh,
            `python3 ${REMOTE} proof`,
            JSON.stringify({ n, seeds: seedsJson, indices: cells.map((x) => [[x.i, x.j]]) }),
            stepMs,
          )
        ).out,
        "proof",
      ),
    );
    const answers = (proved.responses as CellAnswer[][] | undefined) ?? [];
    const verdicts = await step("verify", async () =>
      cells.map((cell, g) => {
        const a = answers[g]?.[0];
        const root = roots.get(g);
        if (!a || !root || !Array.isArray(a.index) || typeof a.row !== "string" || !Array.isArray(a.proof))
          return { ok: false as const, reason: `GPU ${g}: no answer` };
        const v = checkCell(a, cell, seeds[g], root, n);
        return v.ok ? v : { ok: false as const, reason: `GPU ${g}: ${v.reason}` };
      }),
    );
    const ok = verdicts.filter((v) => v.ok).length;
    if (ok < requiredPasses(gpus))
      throw new PogFailure(
        `${ok} of ${gpus} GPUs passed: ${verdicts.flatMap((v) => (v.ok ? [] : [v.reason])).join("; ")}`.slice(0, 500),
      );
    passed = true;
  } catch (e) {
    reason = e instanceof PogFailure ? e.message : `error: ${(e as Error).message}`;
    if (!(e instanceof PogFailure)) log.warn({ hotkey, err: (e as Error).message }, "proof of GPU failed unexpectedly");
  } finally {
    client?.end();
    if (uuid) {
      const release = uuid;
      await step("release", () => deallocate(hotkey, release, POG_RENTER)).catch(() => undefined);
    }
  }
  await db().pogRun.update({
    where: { id: run.id },
    data: {
      finishedAt: new Date(),
      passed,
      reason: reason.slice(0, 500),
      identifiedGpu: identified,
      gpuCount: gpus,
      score: passed && identified ? gpuScore(identified, gpus) : 0,
      steps: JSON.stringify(steps),
    },
  });
  // The marketplace offers what Proof of GPU verified: its view reloads.
  await publish("inventory.changed", { hotkey, proof: passed ? "passed" : "failed" });
  return { hotkey, passed, reason, identified };
}

/**
 * A round: idle miners that report GPUs (never one rented by someone). Proof of GPU holds at most a quarter of
 * the idle machines at once (at least one, at most POG_CONCURRENCY), so renters always find most of them free.
 */
export async function pogRound(): Promise<PogResult[]> {
  const c = config();
  const netuid = netuidOf("compute");
  const [miners, held] = await Promise.all([
    db().computeMiner.findMany({
      where: { netuid, state: "reported", gpuCount: { gt: 0 } },
      select: { hotkey: true },
      orderBy: { hotkey: "asc" },
    }),
    heldHotkeys(netuid),
  ]);
  const busy = new Set([...held.rented, ...held.verifying]);
  const queue = miners.map((m) => m.hotkey).filter((h) => !busy.has(h));
  const results: PogResult[] = [];
  const worker = async () => {
    for (let h = queue.shift(); h !== undefined; h = queue.shift()) results.push(await proveMiner(h));
  };
  await Promise.all(Array.from({ length: pogConcurrency(queue.length, c.POG_CONCURRENCY) }, worker));
  log.info({ runs: results.length, passed: results.filter((r) => r.passed).length }, "proof of GPU round");
  return results;
}
