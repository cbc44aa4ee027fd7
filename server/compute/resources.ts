/**
 * The inventory as SN27's RegisterAPI lists it: the machines with GPUs the marketplace offers (market.ts: verified
 * by Proof of GPU unless ALLOCATE_UNVERIFIED, named as measured), in upstream's units and field names, filtered
 * and paged; a machine rented or being verified is "reserved".
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { db } from "../db";
import { market, offered, type Machine } from "./market";
import { netuidOf } from "../env";
import { NotFoundError } from "../errors";

export const resourceQuerySchema = z
  .object({
    gpu_name: z.string().max(128).optional().nullable(),
    cpu_count_min: z.number().int().min(0).max(1_000_000).optional().nullable(),
    cpu_count_max: z.number().int().min(0).max(1_000_000).optional().nullable(),
    gpu_capacity_min: z.number().min(0).max(1e9).optional().nullable(),
    gpu_capacity_max: z.number().min(0).max(1e9).optional().nullable(),
    hard_disk_total_min: z.number().min(0).max(1e12).optional().nullable(),
    hard_disk_total_max: z.number().min(0).max(1e12).optional().nullable(),
    ram_total_min: z.number().min(0).max(1e12).optional().nullable(),
    ram_total_max: z.number().min(0).max(1e12).optional().nullable(),
  })
  .describe("Filters; capacities in GiB (GPU memory summed over the GPUs, RAM available, disk free)")
  .meta({ id: "ResourceQuery" });
export type ResourceQuery = z.infer<typeof resourceQuerySchema>;

export const resourceSchema = z
  .object({
    hotkey: z.string(),
    cpu_count: z.number().int().min(0).max(1_000_000),
    gpu_name: z.string().describe("Lower case"),
    gpu_capacity: z.number().describe("GiB, summed over the GPUs"),
    gpu_count: z.number().int().min(0).max(64),
    ram: z.number().describe("GiB available"),
    hard_disk: z.number().describe("GiB free"),
    allocate_status: z.enum(["available", "reserved"]),
  })
  .meta({ id: "Resource" });

const within = (v: number, min?: number | null, max?: number | null) =>
  (min == null || v >= min) && (max == null || v <= max);

function matches(m: Machine, q: ResourceQuery | undefined): boolean {
  if (!q) return true;
  return (
    (!q.gpu_name || m.gpu_name.includes(q.gpu_name.toLowerCase())) &&
    within(m.cpu_count, q.cpu_count_min, q.cpu_count_max) &&
    within(m.gpu_capacity, q.gpu_capacity_min, q.gpu_capacity_max) &&
    within(m.ram, q.ram_total_min, q.ram_total_max) &&
    within(m.hard_disk, q.hard_disk_total_min, q.hard_disk_total_max)
  );
}

/** /list/resources_sql: a page of resources, or with `stats` the counts by allocation status. */
export async function listResources(opts: {
  query?: ResourceQuery;
  stats?: boolean;
  pageSize?: number;
  pageNumber?: number;
  /** /list/resources_wandb's rule: a page lists only machines that are not rented (stats still count both). */
  onlyAvailable?: boolean;
  /** /list/resources_wandb's other rule: only machines whose Proof of GPU holds. */
  onlyVerified?: boolean;
}) {
  const mk = await market(netuidOf("compute"));
  const { reported } = mk;
  const held = new Set([...mk.rented, ...mk.verifying]);
  // The machines GPU requests can rent (verified ones, unless ALLOCATE_UNVERIFIED), as Proof of GPU measured them.
  const machines = mk.machines.filter((m) => offered(m, mk) && (!opts.onlyVerified || m.verified));
  if (reported === 0) throw new NotFoundError("There is no resource available", "No resources found.");
  if (opts.stats) {
    const found = machines.filter((m) => matches(m, opts.query));
    const reserved = found.filter((m) => held.has(m.hotkey)).length;
    return {
      message: "List resources successfully",
      data: { stats: { available: found.length - reserved, reserved, total: found.length } },
    };
  }
  // A page needs its rows and whether one more follows: the scan stops there.
  const pageSize = opts.pageSize ?? 50;
  const start = opts.pageNumber === undefined ? 0 : (opts.pageNumber - 1) * pageSize;
  const end = opts.pageNumber === undefined ? Infinity : start + pageSize;
  const slice: Machine[] = [];
  let seen = 0;
  let more = false;
  for (const m of machines) {
    if (!matches(m, opts.query) || (opts.onlyAvailable && held.has(m.hotkey))) continue;
    if (seen >= end) {
      more = true;
      break;
    }
    if (seen >= start) slice.push(m);
    seen++;
  }
  const items = slice.map(({ claimed_gpu: _c, verified: _v, ...m }) => ({
    ...m,
    allocate_status: held.has(m.hotkey) ? ("reserved" as const) : ("available" as const),
  }));
  return { message: "List resources successfully", data: pageOf(items, opts.pageNumber, pageSize, more) };
}

/** Upstream's page: without a page number, everything as page 1. */
function pageOf<T>(items: T[], pageNumber: number | undefined, size: number, more: boolean) {
  return pageNumber === undefined
    ? { page_items: items, page_number: 1, page_size: items.length, next_page_number: null }
    : { page_items: items, page_number: pageNumber, page_size: size, next_page_number: more ? pageNumber + 1 : null };
}

/** /list/count_all_gpus: GPUs over every miner that reported valid Specs. */
export async function countAllGpus(): Promise<{ count: number }> {
  const r = await db().computeMiner.aggregate({
    where: { netuid: netuidOf("compute"), state: "reported" },
    _sum: { gpuCount: true },
  });
  return { count: r._sum.gpuCount ?? 0 };
}

/**
 * /list/count_all_by_model: machines whose GPU is exactly `model` (any case), optionally with exactly
 * `cpu_count` CPUs, or else with `ram_size` GB of RAM installed (rounded up), as upstream counts.
 */
export async function countByModel(model: string, cpuCount?: number, ramSize?: number): Promise<{ count: number }> {
  const rows = await db().computeMiner.findMany({
    where: { netuid: netuidOf("compute"), state: "reported", gpuName: model.toLowerCase() },
    select: { cpuCount: true, specs: true },
  });
  const count = rows.filter((r) => {
    if (cpuCount !== undefined) return r.cpuCount === cpuCount;
    if (ramSize !== undefined) {
      const total = (JSON.parse(r.specs ?? "{}") as { ram?: { total?: number } }).ram?.total ?? 0;
      return Math.ceil(total / 1024 ** 3) === Math.trunc(ramSize);
    }
    return true;
  }).length;
  return { count };
}

/**
 * /list/all_runs from the console's own inventory: one "run" per machine that reported valid Specs (upstream
 * lists its miners' running metrics runs), `{index: {id, name, description, configs, state, start_at}}`.
 */
export async function listRuns(opts: { hotkey?: string; pageSize?: number; pageNumber?: number }) {
  const netuid = netuidOf("compute");
  const miners = await db().computeMiner.findMany({
    where: { netuid, state: "reported", ...(opts.hotkey ? { hotkey: opts.hotkey } : {}) },
    orderBy: { hotkey: "asc" },
  });
  if (!miners.length) return { message: "No runs available", data: {} };
  const firsts = await db().specsReport.groupBy({
    by: ["hotkey"],
    where: { netuid, hotkey: { in: miners.map((m) => m.hotkey) } },
    _min: { at: true },
  });
  const since = new Map(firsts.map((f) => [f.hotkey, f._min.at]));
  const runs = miners.map((m, i) => ({
    [i + 1]: {
      id: createHash("sha256").update(`${netuid}:${m.hotkey}`).digest("hex").slice(0, 8),
      name: `miner-${m.hotkey}`,
      description: "Specs reported to this console over the Specs synapse",
      configs: { netuid, hotkey: m.hotkey, role: "miner", specs: JSON.parse(m.specs ?? "{}") as unknown },
      state: "running",
      start_at: (since.get(m.hotkey) ?? m.checkedAt).toISOString().slice(0, 19),
    },
  }));
  const paged = opts.pageNumber !== undefined;
  const size = opts.pageSize ?? 50;
  const start = paged ? (opts.pageNumber! - 1) * size : 0;
  const items = paged ? runs.slice(start, start + size) : runs;
  return {
    message: "List run resources successfully.",
    data: pageOf(items, opts.pageNumber, size, paged && start + size < runs.length),
  };
}
