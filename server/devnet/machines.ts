/** The devnet's compute machines: believable inventories, in the Specs layout SN27 miners report. */
export interface MachineProfile {
  label: string;
  gpu: { name: string; mib: number; count: number } | null;
  cpus: number;
  ramGib: number;
  diskGib: number;
  /** Goes down for `forS` seconds every `everyS` (answers nothing meanwhile). */
  outage?: { everyS: number; forS: number };
  /** Proof of GPU: benchmarks as this (weaker) GPU instead of its own. */
  benchmarkAs?: string;
  /** Proof of GPU: answers the challenge with an altered row. */
  tamperProof?: boolean;
}

const GIB = 1024 ** 3;

/** The devnet's machines: the first eight of DEVNET_COMPUTE_MINERS, then repeated. */
export const DEVNET_MACHINES: MachineProfile[] = [
  {
    label: "8x H100",
    gpu: { name: "NVIDIA H100 80GB HBM3", mib: 81559, count: 8 },
    cpus: 192,
    ramGib: 2048,
    diskGib: 30_000,
  },
  {
    label: "4x A100",
    gpu: { name: "NVIDIA A100-SXM4-80GB", mib: 81920, count: 4 },
    cpus: 128,
    ramGib: 1024,
    diskGib: 8000,
  },
  {
    label: "2x RTX 4090",
    gpu: { name: "NVIDIA GeForce RTX 4090", mib: 24564, count: 2 },
    cpus: 32,
    ramGib: 128,
    diskGib: 2000,
  },
  // Answers Proof of GPU's challenge with an altered row.
  {
    label: "L40S (alters its proof)",
    gpu: { name: "NVIDIA L40S", mib: 46068, count: 1 },
    cpus: 48,
    ramGib: 256,
    diskGib: 4000,
    tamperProof: true,
  },
  {
    label: "RTX 6000 Ada",
    gpu: { name: "NVIDIA RTX 6000 Ada Generation", mib: 49140, count: 1 },
    cpus: 32,
    ramGib: 192,
    diskGib: 2000,
  },
  { label: "CPU only", gpu: null, cpus: 64, ramGib: 512, diskGib: 4000 },
  // Claims an H100 and benchmarks like an RTX 4090: Proof of GPU finds out.
  {
    label: "claims H100",
    gpu: { name: "NVIDIA H100 80GB HBM3", mib: 81559, count: 1 },
    cpus: 16,
    ramGib: 64,
    diskGib: 500,
    benchmarkAs: "NVIDIA GeForce RTX 4090",
  },
  {
    label: "RTX 3090 (to go offline now and then)",
    gpu: { name: "NVIDIA GeForce RTX 3090", mib: 24576, count: 1 },
    cpus: 16,
    ramGib: 64,
    diskGib: 1000,
    outage: { everyS: 300, forS: 60 },
  },
];

/** The Specs layout SN27 miners report (sizes in bytes, GPU capacity in MiB). */
export function specsOf(m: MachineProfile): Record<string, unknown> {
  const gpus = m.gpu ? Array.from({ length: m.gpu.count }, () => ({ name: m.gpu!.name, capacity: m.gpu!.mib })) : [];
  return {
    cpu: { count: m.cpus, frequency: 3000 },
    gpu: {
      count: gpus.length,
      capacity: gpus.reduce((n, g) => n + g.capacity, 0),
      details: gpus,
      graphics_speed: 1755,
      memory_speed: 2619,
    },
    hard_disk: {
      total: m.diskGib * GIB,
      free: Math.round(m.diskGib * 0.8 * GIB),
      used: Math.round(m.diskGib * 0.2 * GIB),
    },
    ram: {
      total: m.ramGib * GIB,
      available: Math.round(m.ramGib * 0.9 * GIB),
      used: Math.round(m.ramGib * 0.1 * GIB),
      free: Math.round(m.ramGib * 0.85 * GIB),
    },
    has_docker: true,
  };
}
