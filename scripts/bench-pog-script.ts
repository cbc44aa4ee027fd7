/**
 * `npm run bench compute script`: the Proof of GPU script as a miner runs it, on this machine: gpu_info,
 * benchmark, compute at the n the console would pick for the identified GPU (POG_BENCH_N, or 4,096 without a
 * GPU), proof of 4 cells, each verified by the console's TypeScript (and its relative error printed), the
 * timing gate's verdict, wall time and the script's peak RSS. POG_PYTHON picks the interpreter (python3).
 * Results in bench-results/pog-script.json.
 */
import { spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  cellValue,
  challengeSize,
  checkCell,
  expectedFigures,
  identifyGpu,
  tflops,
  timingGate,
  type CellAnswer,
} from "../server/compute/pog/verify";

const ROOT = path.resolve(__dirname, "..");
const SCRIPT = path.join(ROOT, "server/compute/pog/check.py");
const PYTHON = process.env.POG_PYTHON ?? "python3";
const hasTime = fs.existsSync("/usr/bin/time");

function step(mode: string, input: unknown, env: NodeJS.ProcessEnv) {
  const started = performance.now();
  const argv = [PYTHON, SCRIPT, mode];
  const r = spawnSync(hasTime ? "/usr/bin/time" : argv[0], hasTime ? ["-f", "maxrss_kb=%M", ...argv] : argv.slice(1), {
    input: JSON.stringify(input),
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallS = (performance.now() - started) / 1000;
  const out = JSON.parse(r.stdout.toString().trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;
  const rssKb = Number(/maxrss_kb=(\d+)/.exec(r.stderr.toString())?.[1] ?? NaN);
  if (out.error) throw new Error(`${mode}: ${String(out.error)}`);
  return { out, wallS, rssMb: rssKb / 1024 };
}

export async function benchPogScript(): Promise<boolean> {
  const env = { ...process.env, POG_STATE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "pog-bench-")) };
  const info = step("gpu_info", {}, env).out as { num_gpus: number; gpu_names: string[] };
  let n = Number(process.env.POG_BENCH_N ?? 0);
  let gate: ReturnType<typeof timingGate> | null = null;
  let identified: string | null = null;
  let fp32Seconds = 0;
  const report: Record<string, unknown> = { at: new Date().toISOString(), gpu_info: info };
  if (info.num_gpus > 0) {
    const bench = step("benchmark", {}, env);
    const b = bench.out as Record<string, number>;
    const [fp16, fp32] = [tflops(b.size_fp16, b.time_fp16), tflops(b.size_fp32, b.time_fp32)];
    identified = identifyGpu(fp16, fp32, b.vram_gb, info.gpu_names[0]);
    const expected = expectedFigures(identified);
    fp32Seconds = expected?.fp32Seconds ?? b.time_fp32;
    n ||= challengeSize(expected?.vramGb ?? b.vram_gb);
    report.benchmark = {
      ...b,
      fp16_tflops: fp16,
      fp32_tflops: fp32,
      identified,
      wall_s: bench.wallS,
      rss_mb: bench.rssMb,
    };
    console.log(
      `benchmark: vram ${b.vram_gb.toFixed(2)} GB, fp16 ${fp16.toFixed(0)} / fp32 ${fp32.toFixed(1)} TFLOPS -> ${identified} (${bench.wallS.toFixed(1)} s)`,
    );
  }
  n ||= 4096;
  const gpus = Math.max(info.num_gpus, 1);
  const seeds = Array.from({ length: gpus }, () => [
    randomBytes(8).readBigUInt64BE(),
    randomBytes(8).readBigUInt64BE(),
  ]);
  const seedsJson = seeds.map(([a, b]) => [a.toString(), b.toString()]);
  const compute = step("compute", { n, seeds: seedsJson }, env);
  const roots = new Map(compute.out.root_hashes as Array<[number, string]>);
  const timings = compute.out.timings as Array<[number, Record<string, number>]>;
  if (identified)
    gate = timingGate(
      compute.wallS,
      timings.map(([, t]) => t.multiplication_time),
      fp32Seconds,
      gpus,
    );
  const cells = seeds.map(() => Array.from({ length: 4 }, () => [randomInt(n), randomInt(n)]));
  const proof = step("proof", { n, seeds: seedsJson, indices: cells }, env);
  const responses = proof.out.responses as CellAnswer[][];
  const checks = cells.flatMap((list, g) =>
    list.map(([i, j], k) => {
      const a = responses[g][k];
      const ours = cellValue(seeds[g][0], seeds[g][1], i, j, n);
      const theirs = Buffer.from(a.row, "base64").readFloatLE(j * 4);
      const verdict = checkCell(a, { i, j }, seeds[g] as [bigint, bigint], roots.get(g)!, n);
      return { gpu: g, i, j, ok: verdict.ok, relative_error: Math.abs(theirs - ours) / Math.abs(ours) };
    }),
  );
  Object.assign(report, {
    n,
    compute: { wall_s: compute.wallS, rss_mb: compute.rssMb, timings },
    gate: gate ?? "no GPU identified: no timing gate",
    allowance_s: identified ? 5 + gpus * fp32Seconds : null,
    proof: { wall_s: proof.wallS, rss_mb: proof.rssMb, cells: checks },
  });
  for (const [g, t] of timings)
    console.log(
      `compute n=${n} GPU ${g}: generation ${t.generation_time.toFixed(2)} s, multiplication ${t.multiplication_time.toFixed(2)} s, Merkle ${t.merkle_tree_time.toFixed(2)} s`,
    );
  console.log(
    `compute wall ${compute.wallS.toFixed(2)} s, peak RSS ${compute.rssMb.toFixed(0)} MB; gate: ${gate ? (gate.ok ? `passed (allowance ${(5 + gpus * fp32Seconds).toFixed(1)} s)` : gate.reason) : "none (no GPU)"}`,
  );
  console.log(
    `proof ${proof.wallS.toFixed(2)} s: ${checks.filter((c) => c.ok).length}/${checks.length} cells verified, worst relative error ${Math.max(...checks.map((c) => c.relative_error)).toExponential(2)}`,
  );
  fs.mkdirSync(path.join(ROOT, "bench-results"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench-results", "pog-script.json"), JSON.stringify(report, null, 2));
  fs.rmSync(env.POG_STATE_DIR, { recursive: true, force: true });
  return checks.every((c) => c.ok) && (gate?.ok ?? true);
}

if (require.main === module) void benchPogScript().then((ok) => process.exit(ok ? 0 : 1));
