/**
 * What the marketplace offers: every machine that reported valid Specs, as Proof of GPU measured it, and who
 * holds it. The listing (/list/resources_sql), the Allocate form's count, allocation by spec and the inventory
 * page all read this one view, so they agree. Rules:
 * - a GPU request matches only machines whose Proof of GPU holds (ALLOCATE_UNVERIFIED=1: any, as upstream);
 * - a machine is offered as the GPU its last Proof of GPU measured when that differs from its claim;
 * - Proof of GPU's own rentals are the validator's: the machine is "being verified", not rented.
 */
import { loadedCache, type LoadedCache } from "../cache";
import { db, type Prisma } from "../db";
import { config, netuidOf } from "../env";
import { lazy } from "../global";
import { onComputeEvent } from "./events";
import { type DeviceRequirement } from "./forms";
import { sameGpu } from "./pog/gpus";
import { verification } from "./pog/verification";
import { computeConfig } from "./config";

/** `createdBy` of Proof of GPU's rentals. */
export const POG_RENTER = "pog";

/** Customers' live rentals: not Proof of GPU's, and past the miner's answer (a failed try never shows as live). */
export const customerRentalsWhere = (netuid: number): Prisma.AllocationWhereInput => ({
  netuid,
  createdBy: { not: POG_RENTER },
  OR: [{ state: { in: ["active", "paused"] } }, { state: "releasing", expiresAt: { not: null } }],
});

/** Machines held by an allocation: by customers (any state that holds the miner) and by Proof of GPU. */
export async function heldHotkeys(netuid: number): Promise<{ rented: Set<string>; verifying: Set<string> }> {
  const rows = await db().allocation.findMany({
    where: { netuid, live: { not: null } },
    select: { hotkey: true, createdBy: true },
  });
  const rented = new Set<string>();
  const verifying = new Set<string>();
  for (const r of rows) (r.createdBy === POG_RENTER ? verifying : rented).add(r.hotkey);
  return { rented, verifying };
}

export interface Machine {
  hotkey: string;
  cpu_count: number;
  /** lower case: the GPU Proof of GPU measured when it differs from the claim, else the claim */
  gpu_name: string;
  /** what the machine claims (lower case) */
  claimed_gpu: string;
  gpu_capacity: number;
  gpu_count: number;
  ram: number;
  hard_disk: number;
  verified: boolean;
}

export interface Market {
  machines: Machine[];
  rented: Set<string>;
  verifying: Set<string>;
  /** machines with a valid Specs report, with or without GPUs */
  reported: number;
  allowUnverified: boolean;
}

/**
 * Kept in memory per subnet and reloaded when a compute event says something changed (on Postgres, also another
 * instance's), else every 10 s: a reload reads 10,000 rows in tens of milliseconds, not something to do per request.
 */
const caches = lazy(() => new Map<number, LoadedCache<Market>>());

export function market(netuid = netuidOf("compute")): Promise<Market> {
  let cache = caches().get(netuid);
  if (!cache) {
    cache = loadedCache(10_000, () => loadMarket(netuid));
    caches().set(netuid, cache);
    if (caches().size === 1) onComputeEvent(() => caches().forEach((c) => c.invalidate()));
  }
  return cache.get();
}

async function loadMarket(netuid: number): Promise<Market> {
  const [rows, held, proofs] = await Promise.all([
    db().computeMiner.findMany({
      where: { netuid, state: "reported" },
      select: {
        hotkey: true,
        cpuCount: true,
        gpuName: true,
        gpuCount: true,
        gpuCapacityGib: true,
        ramGib: true,
        diskGib: true,
      },
      orderBy: { hotkey: "asc" },
    }),
    heldHotkeys(netuid),
    verification(netuid),
  ]);
  const machines = rows.map((r): Machine => {
    const claimed = (r.gpuName ?? "").toLowerCase();
    const p = proofs.get(r.hotkey);
    const measured = p?.identified && claimed && !sameGpu(p.identified, claimed) ? p.identified.toLowerCase() : null;
    return {
      hotkey: r.hotkey,
      cpu_count: r.cpuCount ?? 0,
      gpu_name: measured ?? claimed,
      claimed_gpu: claimed,
      gpu_capacity: r.gpuCapacityGib,
      gpu_count: r.gpuCount,
      ram: r.ramGib,
      hard_disk: r.diskGib,
      verified: !!p?.verified,
    };
  });
  return {
    machines,
    ...held,
    reported: machines.length,
    allowUnverified: computeConfig().ALLOCATE_UNVERIFIED,
  };
}

/** Whether the marketplace offers a machine to GPU requests (it may still be rented or being verified). */
export const offered = (m: Machine, mk: Market) => m.gpu_count > 0 && (m.verified || mk.allowUnverified);

/** A machine's state for renters: free, rented, being verified, or not offered until Proof of GPU passes. */
export function availability(m: Machine, mk: Market): "available" | "rented" | "verifying" | "unverified" {
  if (mk.rented.has(m.hotkey)) return "rented";
  if (mk.verifying.has(m.hotkey)) return "verifying";
  return m.gpu_count === 0 || offered(m, mk) ? "available" : "unverified";
}

const gpuAsked = (req: DeviceRequirement) => req.gpu_type !== "" && req.gpu_size !== 0;

/** Each requirement in words, with its test (upstream's comparisons: GPU memory in MB > gpu_size x 1000). */
function requirements(req: DeviceRequirement): Array<[string, (m: Machine) => boolean]> {
  const list: Array<[string, (m: Machine) => boolean]> = [
    [`at least ${req.cpu_count} CPU${req.cpu_count === 1 ? "" : "s"}`, (m) => m.cpu_count >= req.cpu_count],
    [`at least ${req.ram} GiB of RAM available`, (m) => m.ram >= req.ram],
    [`at least ${req.hard_disk} GiB of free disk`, (m) => m.hard_disk >= req.hard_disk],
  ];
  if (gpuAsked(req)) {
    list.push([
      req.gpu_type === "gpu" ? "a GPU" : `a GPU whose name contains "${req.gpu_type}"`,
      (m) => m.gpu_count >= 1 && (req.gpu_type === "gpu" || m.gpu_name.includes(req.gpu_type)),
    ]);
    list.push([`more than ${req.gpu_size} GB of GPU memory`, (m) => m.gpu_capacity > (req.gpu_size * 1000) / 1024]);
  }
  return list;
}

export interface SpecMatch {
  /** free machines that meet the spec, smallest fitting first (big machines stay free for big requests) */
  free: string[];
  rented: number;
  verifying: number;
  /** meet the spec, but their Proof of GPU does not hold (not offered by default) */
  unverified: number;
  /** the requirement that rules out the most machines, when none meets the spec */
  ruledOut: { requirement: string; machines: number; of: number } | null;
}

/** The machines that meet a requirement, and when none is free, why. */
export async function matchSpec(req: DeviceRequirement, netuid = netuidOf("compute")): Promise<SpecMatch> {
  const mk = await market(netuid);
  const tests = requirements(req);
  const meets = mk.machines.filter((m) => tests.every(([, ok]) => ok(m)));
  const out: SpecMatch = { free: [], rented: 0, verifying: 0, unverified: 0, ruledOut: null };
  const free: Machine[] = [];
  for (const m of meets) {
    // Without a GPU in the request, Proof of GPU's verdict does not matter; who holds the machine still does.
    const held = availability(m, mk);
    const state = gpuAsked(req) || held !== "unverified" ? held : "available";
    if (state === "available") free.push(m);
    else out[state]++;
  }
  free.sort((a, b) => a.gpu_capacity - b.gpu_capacity || a.cpu_count - b.cpu_count || (a.hotkey < b.hotkey ? -1 : 1));
  out.free = free.map((m) => m.hotkey);
  if (!meets.length && mk.machines.length) {
    const [requirement, machines] = tests
      .map(([label, ok]) => [label, mk.machines.filter((m) => !ok(m)).length] as const)
      .reduce((a, b) => (b[1] > a[1] ? b : a));
    out.ruledOut = { requirement, machines, of: mk.machines.length };
  }
  return out;
}

/** Why a spec cannot be rented now, in words (the API's err_detail and the Allocate form). */
export function noMatchReason(m: SpecMatch): string {
  const s = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (m.rented + m.verifying > 0) {
    const parts = [m.rented && `${m.rented} rented`, m.verifying && `${m.verifying} being verified by Proof of GPU`];
    return `Every machine that meets the spec is busy (${parts.filter(Boolean).join(", ")}); try again later.`;
  }
  if (m.unverified > 0)
    return `${s(m.unverified, "machine")} meet${m.unverified === 1 ? "s" : ""} the spec but ${m.unverified === 1 ? "has" : "have"} not passed Proof of GPU; the marketplace rents verified machines only (ALLOCATE_UNVERIFIED=1 rents any).`;
  if (m.ruledOut)
    return `No machine meets the spec: ${m.ruledOut.requirement} rules out ${m.ruledOut.machines} of ${s(m.ruledOut.of, "machine")}.`;
  return "No machine has reported its specs yet.";
}
