/**
 * The GPUs Proof of GPU can tell apart (SN27's table): theoretical fp16 and fp32 TFLOPS, the VRAM its
 * benchmark measures (GB), and the score weight per GPU. Names as the CUDA driver reports them.
 */
export const GPU_TABLE: Record<string, { fp16: number; fp32: number; vram: number; score: number }> = {
  "NVIDIA B200": { fp16: 1205, fp32: 67.2, vram: 68.72, score: 5.0 },
  "NVIDIA H200": { fp16: 610, fp32: 49.6, vram: 68.72, score: 4.0 },
  "NVIDIA H100 80GB HBM3": { fp16: 570, fp32: 49.0, vram: 34.36, score: 3.3 },
  "NVIDIA H100": { fp16: 330, fp32: 37.2, vram: 34.36, score: 2.8 },
  "NVIDIA A100-SXM4-80GB": { fp16: 238.8, fp32: 18.2, vram: 34.36, score: 1.9 },
  "NVIDIA A100 80GB PCIe": { fp16: 197, fp32: 16.9, vram: 34.36, score: 1.7 },
  "NVIDIA A100-SXM4-40GB": { fp16: 257, fp32: 18.2, vram: 17.18, score: 1.3 },
  "NVIDIA GeForce RTX 5090": { fp16: 220, fp32: 65.0, vram: 17.18, score: 0.92 },
  "NVIDIA L40s": { fp16: 171, fp32: 35.5, vram: 17.18, score: 0.9 },
  "NVIDIA L40": { fp16: 116, fp32: 27.0, vram: 17.18, score: 1.0 },
  "NVIDIA RTX 6000 Ada Generation": { fp16: 112, fp32: 26.0, vram: 17.18, score: 0.83 },
  "NVIDIA RTX A6000": { fp16: 48.5, fp32: 21.28, vram: 17.18, score: 0.75 },
  "NVIDIA RTX A5000": { fp16: 60.0, fp32: 15.8, vram: 8.59, score: 0.26 },
  "NVIDIA RTX A4500": { fp16: 44.0, fp32: 14.3, vram: 8.59, score: 0 },
  "NVIDIA RTX 4000 Ada Generation": { fp16: 70, fp32: 14.6, vram: 8.59, score: 0 },
  "NVIDIA A40": { fp16: 40.0, fp32: 22.8, vram: 17.18, score: 0 },
  "NVIDIA RTX 4090": { fp16: 157, fp32: 48.5, vram: 8.59, score: 0.68 },
  "NVIDIA GeForce RTX 3090": { fp16: 66.4, fp32: 21.7, vram: 8.59, score: 0 },
  "NVIDIA L4": { fp16: 51, fp32: 9, vram: 8.59, score: 0 },
};

/** Pairs whose fingerprints overlap: either name is accepted when the miner claimed the other. */
export const TOLERANCE_PAIRS: Record<string, string> = {
  "NVIDIA L40": "NVIDIA RTX 6000 Ada Generation",
  "NVIDIA RTX 6000 Ada Generation": "NVIDIA L40",
  "NVIDIA RTX 4000 Ada Generation": "NVIDIA RTX A5000",
  "NVIDIA RTX A5000": "NVIDIA RTX 4000 Ada Generation",
  "NVIDIA A100 80GB PCIe": "NVIDIA A100-SXM4-80GB",
  "NVIDIA A100-SXM4-80GB": "NVIDIA A100 80GB PCIe",
  "NVIDIA H100 80GB HBM3": "NVIDIA H100",
  "NVIDIA H100": "NVIDIA H100 80GB HBM3",
  "NVIDIA A40": "NVIDIA RTX A6000",
  "NVIDIA RTX A6000": "NVIDIA A40",
};

/** A verified machine's score: its GPU's weight x min(count, 8). */
export function gpuScore(name: string, count: number): number {
  return (gpuEntry(name)?.score ?? 0) * Math.min(count, 8);
}

/** GPU names compared as the driver may spell them: any case, with or without "GeForce". */
export function normalizeGpu(name: string): string {
  return name
    .toLowerCase()
    .replace(/\bgeforce\s+/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

const byNormalName = new Map(Object.entries(GPU_TABLE).map(([name, g]) => [normalizeGpu(name), { name, ...g }]));

/** The table's entry for a GPU name in any spelling, or undefined for a GPU it does not know. */
export function gpuEntry(name: string) {
  return byNormalName.get(normalizeGpu(name));
}

export const sameGpu = (a: string, b: string) => normalizeGpu(a) === normalizeGpu(b);
