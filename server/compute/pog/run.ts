/**
 * Proof of GPU runs: rent an idle miner through the normal Allocate path, log in over SSH (ssh2), upload the
 * check script and verify its sha256 there, run gpu_info, benchmark, compute (per-GPU random 64-bit seeds)
 * and proof (one random cell per GPU), verify everything here, and always release the miner. Every step is
 * stored with its time and outcome; a miner's last runs decide whether it is verified.
 */
import { createHash, randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type ssh2 from "ssh2";
import { db } from "../../db";
import { config, netuidOf } from "../../env";
import { isAppError } from "../../errors";
import { log } from "../../log";
import { mapPool, type Room } from "../../pool";
import { allocateHotkey } from "../allocations/allocate";
import { deallocate } from "../allocations/release";
import { publish } from "../events";
import { dockerRequirementSchema } from "../forms";
import { heldHotkeys, POG_RENTER } from "../market";
import { gpuEntry, gpuScore, sameGpu } from "./gpus";
import { lastJson, num, PogFailure, sshConnect, sshExec } from "./ssh";
import { computeConfig } from "../config";
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
interface Step {
  step: string;
  ms: number;
  ok: boolean;
  detail?: string;
}

/** n for the challenge: POG_MATRIX_N, 128 on the devnet, else from the measured VRAM as upstream. */
function matrixSize(vramGb: number): number {
  const n = computeConfig().POG_MATRIX_N;
  if (n) return n;
  if (config().devnet) return 128;
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

/** What a run found out, kept when a later step fails (a GPU that measures as another is stored as such). */
interface Found {
  identified: string | null;
  gpus: number;
}
type StepFn = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/**
 * gpu_info and benchmark: the GPUs, identified from their TFLOPS and VRAM; a claim they do not match fails.
 * From here the console trusts the table, not the miner's figures.
 */
async function identify(ssh: ssh2.Client, step: StepFn, stepMs: number, claimed: string | null, found: Found) {
  const info = await step("gpu_info", async () =>
    lastJson((await sshExec(ssh, `python3 ${REMOTE} gpu_info`, "", stepMs)).out, "gpu_info"),
  );
  const gpus = (found.gpus = num(info.num_gpus, "num_gpus"));
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
  const identified = (found.identified = identifyGpu(fp16, fp32, vram, gpuEntry(reported)?.name ?? reported));
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
  return expected;
}

/** compute and proof: random seeds per GPU, the timing gate, one random cell per GPU checked against its root. */
async function challenge(
  ssh: ssh2.Client,
  step: StepFn,
  stepMs: number,
  gpus: number,
  expected: { vramGb: number; fp32Seconds: number },
) {
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
}

/** One run on one miner; the miner is released whatever happens. */
export async function proveMiner(hotkey: string, room?: Room): Promise<PogResult> {
  const netuid = netuidOf("compute");
  const stepMs = computeConfig().POG_STEP_TIMEOUT_S * 1000;
  const miner = await db().computeMiner.findUnique({ where: { netuid_hotkey: { netuid, hotkey } } });
  const claimed = miner?.gpuName ?? null;
  const run = await db().pogRun.create({ data: { netuid, hotkey, claimedGpu: claimed } });
  const steps: Step[] = [];
  const found: Found = { identified: null, gpus: 0 };
  let uuid: string | null = null;
  let client: ssh2.Client | null = null;
  // Each step but the release waits for room on the event loop (a background round's pool decides).
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    if (name !== "release") await room?.();
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
    const expected = await identify(ssh, step, stepMs, claimed, found);
    await challenge(ssh, step, stepMs, found.gpus, expected);
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
      identifiedGpu: found.identified,
      gpuCount: found.gpus,
      score: passed && found.identified ? gpuScore(found.identified, found.gpus) : 0,
      steps: JSON.stringify(steps),
    },
  });
  // The marketplace offers what Proof of GPU verified: its view reloads.
  await publish("inventory.changed", { hotkey, proof: passed ? "passed" : "failed" });
  return { hotkey, passed, reason, identified: found.identified };
}

/**
 * A round: idle miners that report GPUs (never one rented by someone). Proof of GPU holds at most a quarter of
 * the idle machines at once (at least one, at most POG_CONCURRENCY), so renters always find most of them free.
 */
export async function pogRound(): Promise<PogResult[]> {
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
  // Background work: runs beyond the first start only while the event loop has room for the API's requests.
  const results = await mapPool(
    queue,
    pogConcurrency(queue.length, computeConfig().POG_CONCURRENCY),
    (h, _, room) => proveMiner(h, room),
    { background: true },
  );
  log.info({ runs: results.length, passed: results.filter((r) => r.passed).length }, "proof of GPU round");
  return results;
}
