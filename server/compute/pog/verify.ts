/**
 * Proof of GPU, the console's side (SN27's rules): recompute C[i, j] from the seeds alone, check the row's
 * Merkle path to the root the miner committed to, identify the GPU from its benchmark, gate on timing, and
 * decide pass or fail per machine. Nothing here runs or deserializes what a miner sends beyond parsed JSON.
 */
import { createHash } from "node:crypto";
import { GPU_TABLE, TOLERANCE_PAIRS } from "./gpus";

const MASK = 0xffffffff;
const TWO_32 = BigInt(2 ** 32);

/** xorshift32 applied 10 times to (seed + i + j) mod 2^32: the uint32 state of cell (i, j). */
export function prngState(seed: bigint, i: number, j: number): number {
  let x = Number((seed % TWO_32) + ((BigInt(i) % TWO_32) + BigInt(j))) % 2 ** 32;
  for (let r = 0; r < 10; r++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
  }
  return x;
}

/** A[i][j] as SN27's validator computes it: state / 0xFFFFFFFF, stored as float32. */
export function prngValue(seed: bigint, i: number, j: number): number {
  return Math.fround(prngState(seed, i, j) / MASK);
}

/** C[i][j] = sum_k A[i][k] * B[k][j], in double precision from the float32 entries. */
export function cellValue(seedA: bigint, seedB: bigint, i: number, j: number, n: number): number {
  let sum = 0;
  for (let k = 0; k < n; k++) sum += prngValue(seedA, i, k) * prngValue(seedB, k, j);
  return sum;
}

/**
 * numpy.isclose with atol 1e-4, rtol 1e-4: between SN27's older validator (1e-5 / 1e-5) and its current one
 * (1e-4 / 1e-3), chosen from measured rounding. C[i, j] is a float32 sum of n products near 0.25; one float32
 * accumulator without fused multiply-add (the worst honest kernel) is 7.4e-6 off in relative terms at
 * n = 29,280 (worst of 200 cells; 3.6e-6 at 8,192), which 1e-5 fails now and then and 1e-4 passes with a 13x
 * margin; tiled and pairwise sums land at 1e-7 to 3e-7, TF32 or fp16 inputs near 2e-6 (no tolerance tells the
 * precisions apart: the Merkle root and the timing gate bind the miner to the product). A shortcut that sums
 * half of the k and doubles it is typically 7e-3 off: it passes a cell by chance about 1 % of the time at
 * rtol 1e-4 against 11 % at upstream's 1e-3 (tests/unit/pog.test.ts).
 */
export function isClose(a: number, b: number, atol = 1e-4, rtol = 1e-4): boolean {
  return Number.isFinite(a) && Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest();

/** The row's leaf hashed up its path (siblings in order, left/right by the index's parity) equals the root. */
export function verifyMerklePath(row: Buffer, path: string[], rootHex: string, index: number): boolean {
  let hash = sha256(row);
  let idx = index;
  for (const siblingHex of path) {
    if (!/^[0-9a-f]{64}$/.test(siblingHex)) return false;
    const sibling = Buffer.from(siblingHex, "hex");
    hash = sha256(idx % 2 === 0 ? Buffer.concat([hash, sibling]) : Buffer.concat([sibling, hash]));
    idx = Math.floor(idx / 2);
  }
  return /^[0-9a-f]{64}$/.test(rootHex) && hash.equals(Buffer.from(rootHex, "hex"));
}

/** The path length a tree of n leaves has (levels above the leaves). */
export function pathLength(n: number): number {
  let levels = 0;
  for (let leaves = n; leaves > 1; leaves = Math.ceil(leaves / 2)) levels++;
  return levels;
}

export interface CellAnswer {
  index: [number, number];
  /** base64 of the row of C as float32 little-endian */
  row: string;
  proof: string[];
}

/** One GPU's challenge: the row is n float32, its path leads to the root, and C[i, j] is what the seeds give. */
export function checkCell(
  a: CellAnswer,
  expected: { i: number; j: number },
  seeds: [bigint, bigint],
  rootHex: string,
  n: number,
): { ok: true } | { ok: false; reason: string } {
  if (a.index[0] !== expected.i || a.index[1] !== expected.j) return { ok: false, reason: "answered another cell" };
  const row = Buffer.from(a.row, "base64");
  if (row.length !== n * 4) return { ok: false, reason: `row of ${row.length} bytes, not ${n} float32` };
  if (a.proof.length !== pathLength(n)) return { ok: false, reason: "Merkle path of the wrong length" };
  if (!verifyMerklePath(row, a.proof, rootHex, expected.i))
    return { ok: false, reason: "Merkle path does not lead to the root" };
  const miner = row.readFloatLE(expected.j * 4);
  const ours = cellValue(seeds[0], seeds[1], expected.i, expected.j, n);
  if (!isClose(miner, ours))
    return { ok: false, reason: `C[${expected.i}, ${expected.j}] is ${miner}, expected ${ours}` };
  return { ok: true };
}

/** GPUs that must pass: all up to 3, 3 of 4, ceil(75 %) above 4 (SN27's rule). */
export function requiredPasses(gpus: number): number {
  if (gpus === 4) return 3;
  if (gpus > 4) return Math.ceil(0.75 * gpus);
  return gpus;
}

/** TFLOPS from a benchmark's size and seconds: 2 n^3 / t / 1e12. */
export const tflops = (n: number, seconds: number) => (seconds > 0 ? (2 * n ** 3) / seconds / 1e12 : 0);

/**
 * The GPU whose fp16 and fp32 TFLOPS and VRAM are closest (least mean relative deviation). GPUs upstream
 * cannot tell apart (the tolerance pairs) count as the reported name when the miner claimed the other.
 */
export function identifyGpu(fp16: number, fp32: number, vramGb: number, reportedName?: string): string {
  let best = "";
  let bestScore = Infinity;
  for (const [name, g] of Object.entries(GPU_TABLE)) {
    const score =
      (Math.abs(fp16 - g.fp16) / g.fp16 + Math.abs(fp32 - g.fp32) / g.fp32 + Math.abs(vramGb - g.vram) / g.vram) / 3;
    if (score < bestScore) [best, bestScore] = [name, score];
  }
  if (reportedName && TOLERANCE_PAIRS[best] === reportedName) return reportedName;
  return best;
}

/** The benchmark's matrix size for a VRAM in GB, as the script derives it (upstream's adjust_matrix_size). */
export function benchmarkSize(vramGb: number, elementSize: number, bufferFactor: number): number {
  return Math.floor(Math.sqrt((vramGb * bufferFactor * 1e9) / (2 * elementSize)) / 32) * 32;
}

/**
 * What the GPU should measure, from the table: its VRAM, and the seconds of one fp32 product at the size its
 * benchmark uses. The timing gate allows this time, not the miner's own report (which it could inflate).
 */
export function expectedFigures(gpu: string): { vramGb: number; fp32Seconds: number } | null {
  const g = GPU_TABLE[gpu];
  if (!g) return null;
  const n32 = benchmarkSize(g.vram, 4, 0.5);
  return { vramGb: g.vram, fp32Seconds: (2 * n32 ** 3) / (g.fp32 * 1e12) };
}

/** The challenge's n for a GPU's table VRAM (upstream's choice: two float32 matrices in a tenth of it). */
export function challengeSize(vramGb: number): number {
  return Math.max(32, Math.floor(Math.sqrt((vramGb * 0.1 * 1e9) / 8) / 32) * 32);
}

/** The VRAM a GPU reported is within 10 % of the table's (a made-up figure would shrink the challenge). */
export function vramMatches(reportedGb: number, tableGb: number): boolean {
  return Math.abs(reportedGb - tableGb) <= 0.1 * tableGb;
}

/** The compute step's timing gate: elapsed < 5 s + gpus x t_fp32, and mean multiplication time < t_fp32. */
export function timingGate(
  elapsedS: number,
  multiplicationTimes: number[],
  fp32Seconds: number,
  gpus: number,
): { ok: true } | { ok: false; reason: string } {
  if (elapsedS >= 5 + gpus * fp32Seconds)
    return {
      ok: false,
      reason: `took ${elapsedS.toFixed(2)} s, more than 5 s + ${gpus} x ${fp32Seconds.toFixed(3)} s`,
    };
  const mean = multiplicationTimes.reduce((a, b) => a + b, 0) / Math.max(multiplicationTimes.length, 1);
  if (mean >= fp32Seconds)
    return {
      ok: false,
      reason: `mean multiplication ${mean.toFixed(3)} s, not under the fp32 benchmark's ${fp32Seconds.toFixed(3)} s`,
    };
  return { ok: true };
}
