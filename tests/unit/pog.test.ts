/**
 * Proof of GPU: the console's recomputation against the script that runs on miners (python3 + NumPy): PRNG
 * states and values, C[i, j] and Merkle paths of a real run, a tampered row, GPU identification, timing gate
 * and pass rules.
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { gpuScore } from "@/server/compute/pog/gpus";
import {
  benchmarkSize,
  cellValue,
  checkCell,
  expectedFigures,
  identifyGpu,
  isClose,
  pathLength,
  prngState,
  prngValue,
  requiredPasses,
  tflops,
  timingGate,
  vramMatches,
  type CellAnswer,
} from "@/server/compute/pog/verify";

const SCRIPT = path.resolve(__dirname, "../../server/compute/pog/check.py");
const state = fs.mkdtempSync(path.join(os.tmpdir(), "pog-test-"));
function run(mode: string, input: unknown, env: Record<string, string> = {}) {
  const out = execFileSync("python3", [SCRIPT, mode], {
    input: JSON.stringify(input),
    env: { ...process.env, POG_STATE_DIR: state, ...env },
  }).toString();
  return JSON.parse(out.trim().split("\n").at(-1)!);
}
/** A run the script refuses: exit status 1, one JSON error line, no traceback. */
function refused(mode: string, input: unknown, dir = state) {
  const r = spawnSync("python3", [SCRIPT, mode], {
    input: typeof input === "string" ? input : JSON.stringify(input),
    env: { ...process.env, POG_STATE_DIR: dir, POG_SIMULATE: SIM },
  });
  expect(r.status).toBe(1);
  expect(r.stderr.toString()).not.toMatch(/Traceback/);
  const lines = r.stdout.toString().trim().split("\n");
  expect(lines).toHaveLength(1);
  return (JSON.parse(lines[0]) as { error: string }).error;
}
/** A python3 that imports PyTorch (the Debian package installs into the system interpreter), or null. */
const torchPython = ["python3", "/usr/bin/python3"].find(
  (py) => spawnSync(py, ["-c", "import torch, numpy"], { stdio: "ignore" }).status === 0,
);
const SIM_NAMES = ["NVIDIA L40s", "NVIDIA L40s"];
const SIM = JSON.stringify({
  names: SIM_NAMES,
  vram_gb: 17.18,
  tflops_fp16: 171,
  tflops_fp32: 35.5,
});

describe("proof of GPU against the miner's script", () => {
  it("computes the same PRNG states (exactly) and values (to float32) from 64-bit seeds", () => {
    const seed = 18446744073709551615n;
    const cells = [
      [0, 0],
      [1, 2],
      [127, 127],
      [4095, 17],
      [2 ** 31, 2 ** 31],
    ];
    const py = run("prng", { seed: seed.toString(), cells }) as { states: number[]; values: number[] };
    expect(cells.map(([i, j]) => prngState(seed, i, j))).toEqual(py.states);
    for (const [k, [i, j]] of cells.entries())
      expect(Math.abs(prngValue(seed, i, j) - py.values[k])).toBeLessThan(1e-7);
    // Seeds as JSON numbers too (the script takes either).
    expect((run("prng", { seed: 12345, cells: [[3, 4]] }) as { states: number[] }).states).toEqual([
      prngState(12345n, 3, 4),
    ]);
  });

  it("recomputes C[i, j] and follows each row's Merkle path to the committed root; a tampered row fails", () => {
    const n = 128;
    const seeds: Array<[bigint, bigint]> = [
      [9007199254740993n, 18446744073709551557n],
      [42n, 4294967296n],
    ];
    const computed = run(
      "compute",
      { n, seeds: seeds.map(([a, b]) => [a.toString(), b.toString()]) },
      { POG_SIMULATE: SIM },
    ) as {
      root_hashes: Array<[number, string]>;
      timings: Array<[number, { n: number; multiplication_time: number }]>;
    };
    expect(computed.root_hashes.map(([g]) => g)).toEqual([0, 1]);
    const cells = [
      [
        [5, 7],
        [127, 0],
      ],
      [[64, 64]],
    ];
    const seedsJson = seeds.map(([a, b]) => [a.toString(), b.toString()]);
    const proved = run("proof", { n, seeds: seedsJson, indices: cells }, { POG_SIMULATE: SIM }) as {
      responses: CellAnswer[][];
    };
    for (const [gpu, answers] of proved.responses.entries())
      for (const [k, a] of answers.entries()) {
        const [i, j] = cells[gpu][k];
        expect(checkCell(a, { i, j }, seeds[gpu], computed.root_hashes[gpu][1], n)).toEqual({ ok: true });
      }
    const a = proved.responses[0][0];
    const row = Buffer.from(a.row, "base64");
    // The value at (5, 7) changed: the path no longer leads to the root.
    const tampered = Buffer.from(row);
    tampered.writeFloatLE(row.readFloatLE(7 * 4) + 1, 7 * 4);
    expect(
      checkCell({ ...a, row: tampered.toString("base64") }, { i: 5, j: 7 }, seeds[0], computed.root_hashes[0][1], n),
    ).toMatchObject({
      ok: false,
      reason: "Merkle path does not lead to the root",
    });
    // An honest row for other seeds: the path holds for its own root, the value does not match these seeds.
    expect(checkCell(a, { i: 5, j: 7 }, [1n, 2n], computed.root_hashes[0][1], n)).toMatchObject({ ok: false });
    expect(checkCell(a, { i: 6, j: 7 }, seeds[0], computed.root_hashes[0][1], n)).toMatchObject({
      reason: "answered another cell",
    });
    expect(pathLength(128)).toBe(7);
    expect(pathLength(5)).toBe(3);
    expect(isClose(cellValue(seeds[0][0], seeds[0][1], 5, 7, n), row.readFloatLE(7 * 4))).toBe(true);
  });

  it("answers proof only for the n and seeds last computed, and refuses bad input with one JSON line", () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), "pog-fresh-"));
    expect(refused("proof", { n: 32, seeds: [["1", "2"]], indices: [[[0, 0]]] }, fresh)).toBe(
      "nothing computed: run compute first",
    );
    const seeds = [
      ["1", "2"],
      ["3", "4"],
    ];
    run("compute", { n: 32, seeds }, { POG_SIMULATE: SIM });
    const ask = { n: 32, seeds, indices: [[[0, 0]], [[31, 31]]] };
    expect(refused("proof", { ...ask, n: 64 })).toBe("proof answers only for the n and seeds last computed");
    expect(
      refused("proof", {
        ...ask,
        seeds: [
          ["1", "2"],
          ["3", "5"],
        ],
      }),
    ).toBe("proof answers only for the n and seeds last computed");
    expect(refused("proof", { ...ask, indices: [[[32, 0]]] })).toBe("cells are [i, j] with 0 <= i, j < 32");
    expect(refused("proof", { ...ask, indices: [[[0, 0]], [[0, 0]], [[0, 0]]] })).toMatch(/one list of cells per GPU/);
    expect(refused("compute", { n: 0, seeds })).toBe("n must be an integer from 1 to 65536");
    expect(refused("compute", { n: 32, seeds: [["x", "2"]] })).toBe("seeds are integers");
    expect(refused("compute", { n: 32, seeds: [[(2n ** 64n).toString(), "2"]] })).toBe(
      "seeds are 64-bit unsigned integers",
    );
    expect(refused("compute", "not json")).toMatch(/^compute failed: JSONDecodeError/);
    expect(refused("compute", [1, 2])).toBe("the input is one JSON object");
    // A refused compute left the last challenge's answers in place; a new one replaces them.
    expect((run("proof", ask, { POG_SIMULATE: SIM }) as { responses: unknown[] }).responses).toHaveLength(2);
  }, 30_000);

  it.runIf(torchPython)(
    "generates bit-identical matrices with PyTorch (the GPU path, here on its CPU) and NumPy",
    () => {
      const out = execFileSync(torchPython!, [
        "-c",
        [
          "import importlib.util, json, sys",
          `spec = importlib.util.spec_from_file_location("check", ${JSON.stringify(SCRIPT)})`,
          "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)",
          // The script imports PyTorch only where the NVIDIA driver is: here its CPU path is checked.
          "import torch; m.torch = torch",
          "cases = [(2**64 - 1, 257), (0, 1000), (9007199254740993, 33), (4294967295, 64)]",
          "print(json.dumps([m.matrix_numpy(s, n).tobytes() == m.matrix_torch(s, n, 'cpu').numpy().tobytes() for s, n in cases]))",
        ].join("\n"),
      ]).toString();
      expect(JSON.parse(out.trim())).toEqual([true, true, true, true]);
    },
    60_000,
  );
  it.runIf(torchPython && !fs.existsSync("/dev/nvidiactl"))(
    "imports neither PyTorch without the NVIDIA driver nor NumPy where it computes nothing (~1.5 s of CPU a step)",
    () => {
      const imports = (mode: string) => {
        const r = spawnSync(torchPython!, ["-X", "importtime", SCRIPT, mode], {
          env: { ...process.env, POG_SIMULATE: SIM, POG_STATE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "pog-")) },
          input: JSON.stringify({
            n: 8,
            seeds: [
              [1, 2],
              [3, 4],
            ],
          }),
        });
        expect(r.status).toBe(0);
        const err = r.stderr.toString();
        return { torch: /\| torch$/m.test(err), numpy: /\| numpy$/m.test(err), out: r.stdout.toString() };
      };
      const info = imports("gpu_info");
      expect(JSON.parse(info.out.trim())).toEqual({ num_gpus: 2, gpu_names: SIM_NAMES });
      expect(info).toMatchObject({ torch: false, numpy: false });
      expect(imports("benchmark")).toMatchObject({ torch: false, numpy: false });
      expect(imports("compute")).toMatchObject({ torch: false, numpy: true });
    },
  );
  if (!torchPython)
    it.skip("PyTorch vs NumPy matrices: skipped, no python3 here imports torch (apt-get install python3-torch)");

  it("tolerates an honest float32 sum at the largest n the console picks, not a shortcut that sums half of it", () => {
    const n = 29_280; // from 68.72 GB (an H200 or B200)
    const seeds: [bigint, bigint] = [0x0123456789abcdefn, 0xfedcba9876543210n];
    const cells = [
      [0, 0],
      [29_279, 1],
      [12_345, 27_000],
      [7, 29_279],
      [20_000, 5_000],
      [1, 2],
    ];
    const shortcutPassed = cells.filter(([i, j]) => {
      const exact = cellValue(seeds[0], seeds[1], i, j, n);
      let single = 0; // one float32 accumulator, no fused multiply-add: the worst honest kernel
      let half = 0;
      for (let k = 0; k < n; k++) {
        const p = Math.fround(prngValue(seeds[0], i, k) * prngValue(seeds[1], k, j));
        single = Math.fround(single + p);
        if (k % 2 === 0) half += 2 * p;
      }
      expect(Math.abs(single - exact) / exact).toBeGreaterThan(1e-7); // real rounding, not an exact sum
      expect(isClose(single, exact)).toBe(true);
      return isClose(Math.fround(half), exact);
    });
    // Half the work is 3e-4 to 1.4e-2 off; one of these cells lands 8e-6 off by chance (about 1 % do).
    expect(shortcutPassed).toEqual([[12_345, 27_000]]);
  }, 30_000);

  it("answers gpu_info and benchmark as the simulated GPUs would (the devnet's machines)", () => {
    expect(run("gpu_info", {}, { POG_SIMULATE: SIM })).toEqual({
      num_gpus: 2,
      gpu_names: ["NVIDIA L40s", "NVIDIA L40s"],
    });
    const b = run("benchmark", {}, { POG_SIMULATE: SIM }) as Record<string, number>;
    expect(tflops(b.size_fp16, b.time_fp16)).toBeCloseTo(171, 6);
    expect(tflops(b.size_fp32, b.time_fp32)).toBeCloseTo(35.5, 6);
    expect(identifyGpu(tflops(b.size_fp16, b.time_fp16), tflops(b.size_fp32, b.time_fp32), b.vram_gb)).toBe(
      "NVIDIA L40s",
    );
    // The allowance the console derives from the table is the time the script reports for that GPU.
    expect(b.size_fp32).toBe(benchmarkSize(17.18, 4, 0.5));
    expect(b.size_fp16).toBe(benchmarkSize(17.18, 2, 1.0));
    expect(expectedFigures("NVIDIA L40s")!.fp32Seconds).toBeCloseTo(b.time_fp32, 9);
  });
});

describe("identification, timing and pass rules", () => {
  it("identifies GPUs by least mean relative deviation, with upstream's tolerance pairs", () => {
    expect(identifyGpu(570, 49, 34.36)).toBe("NVIDIA H100 80GB HBM3");
    expect(identifyGpu(560, 48, 34)).toBe("NVIDIA H100 80GB HBM3");
    expect(identifyGpu(157, 48.5, 8.59)).toBe("NVIDIA RTX 4090");
    // A claimed H100 that measures like an RTX 4090 is a 4090.
    expect(identifyGpu(150, 45, 8.59, "NVIDIA H100 80GB HBM3")).toBe("NVIDIA RTX 4090");
    // L40 and RTX 6000 Ada cannot be told apart: the claim stands.
    expect(identifyGpu(116, 27, 17.18)).toBe("NVIDIA L40");
    expect(identifyGpu(116, 27, 17.18, "NVIDIA RTX 6000 Ada Generation")).toBe("NVIDIA RTX 6000 Ada Generation");
    expect(identifyGpu(330, 37.2, 34.36, "NVIDIA H100 80GB HBM3")).toBe("NVIDIA H100 80GB HBM3");
  });

  it("gates on time and requires all GPUs up to 3, 3 of 4, 75 % above 4", () => {
    expect(timingGate(3, [0.1, 0.2], 0.5, 2)).toEqual({ ok: true });
    expect(timingGate(6.1, [0.1], 0.5, 2)).toMatchObject({ ok: false });
    expect(timingGate(1, [0.6, 0.7], 0.5, 2)).toMatchObject({ ok: false });
    expect([1, 2, 3, 4, 5, 8].map(requiredPasses)).toEqual([1, 2, 3, 3, 4, 6]);
    expect(gpuScore("NVIDIA H100 80GB HBM3", 8)).toBeCloseTo(26.4);
    expect(gpuScore("NVIDIA H100 80GB HBM3", 16)).toBeCloseTo(26.4); // at most 8 count
    expect(gpuScore("NVIDIA RTX 4090", 2)).toBeCloseTo(1.36);
    expect(gpuScore("unknown", 4)).toBe(0);
  });

  it("takes the VRAM and time allowance from the table: an H100 gets 5 s + 4.06 s per GPU, whatever it reports", () => {
    expect(expectedFigures("NVIDIA H100 80GB HBM3")).toEqual({ vramGb: 34.36, fp32Seconds: expect.any(Number) });
    expect(expectedFigures("NVIDIA H100 80GB HBM3")!.fp32Seconds).toBeCloseTo((2 * 46_336 ** 3) / 49e12, 9);
    expect(expectedFigures("NVIDIA Nonexistent")).toBeNull();
    expect(vramMatches(34.36, 34.36)).toBe(true);
    expect(vramMatches(31.5, 34.36)).toBe(true);
    expect(vramMatches(30, 34.36)).toBe(false); // more than 10 % off
    expect(vramMatches(0.01, 34.36)).toBe(false);
    expect(vramMatches(137.4, 68.72)).toBe(false); // a probe that does not hold the previous tensor
  });
});
