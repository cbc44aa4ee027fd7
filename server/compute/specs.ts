/**
 * A miner's hardware report (the `Specs` layout) and the `Resource` the API lists, in upstream's units:
 * GPU capacity in MiB on the wire and GiB summed over GPUs in listings, RAM available and disk free in
 * bytes on the wire and GiB in listings. Self-reported: a report that cannot be true is invalid, with why.
 */
import { z } from "zod";

const bytes = z.number().finite();
export const specsSchema = z.object({
  cpu: z.object({ count: z.number().int(), frequency: z.number().finite().optional() }).passthrough(),
  gpu: z
    .object({
      count: z.number().int(),
      capacity: z.number().finite(),
      details: z.array(z.object({ name: z.string().max(128), capacity: z.number().finite() }).passthrough()).max(1024),
      graphics_speed: z.number().finite().optional(),
      memory_speed: z.number().finite().optional(),
    })
    .passthrough()
    .optional(),
  hard_disk: z.object({ total: bytes, free: bytes, used: bytes.optional() }).passthrough(),
  ram: z.object({ total: bytes, available: bytes, used: bytes.optional(), free: bytes.optional() }).passthrough(),
  has_docker: z.boolean().optional(),
});
export type Specs = z.infer<typeof specsSchema>;

export const MAX_GPUS = 64;
const GIB = 1024 ** 3;

export interface ResourceFigures {
  cpu_count: number;
  gpu_name: string | null;
  /** GiB, summed over the GPUs. */
  gpu_capacity: number;
  gpu_count: number;
  /** GiB available. */
  ram: number;
  /** GiB free. */
  hard_disk: number;
}

export type SpecsVerdict = { valid: true; specs: Specs; resource: ResourceFigures } | { valid: false; reason: string };

/** Reads a miner's `specs_output` (a JSON string, at most 256 KiB) and checks that it can be true. */
export function readSpecs(specsOutput: string): SpecsVerdict {
  if (specsOutput.length > 256 * 1024) return { valid: false, reason: "the report is larger than 256 KiB" };
  let json: unknown;
  try {
    json = JSON.parse(specsOutput);
  } catch {
    return { valid: false, reason: "the report is not JSON" };
  }
  const parsed = specsSchema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    return {
      valid: false,
      reason: `the report does not have the Specs layout: ${i.path.join(".") || "report"}: ${i.message}`,
    };
  }
  const s = parsed.data;
  const gpu = s.gpu ?? { count: 0, capacity: 0, details: [] };
  const names = gpu.details.map((d) => d.name.trim()).filter(Boolean);
  const problems: string[] = [];
  if (s.cpu.count < 1 || s.cpu.count > 4096) problems.push(`${s.cpu.count} CPUs`);
  for (const [what, v] of [
    ["GPU capacity", gpu.capacity],
    ["RAM total", s.ram.total],
    ["RAM available", s.ram.available],
    ["disk total", s.hard_disk.total],
    ["disk free", s.hard_disk.free],
    ...gpu.details.map((d, i) => [`GPU ${i} capacity`, d.capacity] as const),
  ] as const)
    if (v < 0) problems.push(`negative ${what}`);
  if (gpu.count < 0) problems.push("a negative GPU count");
  if (gpu.count > MAX_GPUS) problems.push(`${gpu.count} GPUs (more than ${MAX_GPUS})`);
  if (gpu.count === 0 && names.length > 0) problems.push(`0 GPUs but a GPU named "${names[0]}"`);
  if (gpu.count > 0 && gpu.details.length !== gpu.count)
    problems.push(`${gpu.count} GPUs but ${gpu.details.length} described`);
  if (gpu.count > 0 && names.length === 0) problems.push(`${gpu.count} GPUs without a name`);
  if (s.ram.available > s.ram.total) problems.push("more RAM available than installed");
  if (s.hard_disk.free > s.hard_disk.total) problems.push("more disk free than installed");
  if (problems.length) return { valid: false, reason: problems.join("; ") };
  return {
    valid: true,
    specs: s,
    resource: {
      cpu_count: s.cpu.count,
      gpu_name: gpu.count > 0 ? names[0] : null,
      gpu_capacity: round2(gpu.capacity / 1024),
      gpu_count: gpu.count,
      ram: round2(s.ram.available / GIB),
      hard_disk: round2(s.hard_disk.free / GIB),
    },
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
