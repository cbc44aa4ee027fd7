/**
 * The GPU inventory: every serving miner of the compute subnet is asked for its `Specs`; what it reports
 * is kept per miner (with a history row when it changes), labelled as self-reported. A report that cannot
 * be true is stored as invalid with the reason; a miner that does not serve Specs is "unknown".
 */
import { createHash } from "node:crypto";
import { listNeurons } from "../chain";
import { db } from "../db";
import { log } from "../log";
import { axonOf, dendrite, type AxonInfo, type CallResult } from "../bittensor";
import { publish } from "./events";
import { sampleInventory } from "./samples";
import { SpecsSynapse } from "./protocol";
import { readSpecs } from "./specs";

const SPECS_TIMEOUT_S = 10;
const SPECS_CONCURRENCY = 32;

export type InventoryState = "reported" | "invalid" | "unknown" | "unreachable";

export async function refreshInventory(netuid: number): Promise<Record<InventoryState, number>> {
  const d = dendrite();
  const counts: Record<InventoryState, number> = { reported: 0, invalid: 0, unknown: 0, unreachable: 0 };
  if (!d) return counts;
  const axons = (await listNeurons(netuid))
    .filter((n) => !n.validatorPermit)
    .map(axonOf)
    .filter((a): a is AxonInfo => a !== null);
  const results = await d.forward(
    axons,
    SpecsSynapse,
    { specs_input: "" },
    { timeout: SPECS_TIMEOUT_S, concurrency: SPECS_CONCURRENCY },
  );
  let changed = 0;
  for (const r of results) {
    const s = await store(netuid, r);
    counts[s.state]++;
    if (s.changed) changed++;
  }
  if (changed) await publish("inventory.changed", { netuid, changed, ...counts });
  await sampleInventory(netuid);
  log.debug({ netuid, ...counts }, "compute inventory refreshed");
  return counts;
}

async function store(
  netuid: number,
  r: CallResult<typeof SpecsSynapse>,
): Promise<{ state: InventoryState; changed: boolean }> {
  const hotkey = r.axon.hotkey;
  const at = new Date();
  const previous = await db().computeMiner.findUnique({ where: { netuid_hotkey: { netuid, hotkey } } });
  let state: InventoryState;
  let reason: string | null = null;
  let figures = {};
  let specs: string | null = null;
  const raw = r.status === 200 ? (r.response?.specs_output ?? "") : "";
  if (r.status === 404) {
    state = "unknown";
    reason = "does not serve Specs";
  } else if (r.status !== 200) {
    state = "unreachable";
    reason = `${r.status} ${r.message}`.slice(0, 300);
  } else {
    const verdict = readSpecs(raw);
    if (verdict.valid) {
      state = "reported";
      specs = JSON.stringify(verdict.specs);
      const f = verdict.resource;
      figures = {
        cpuCount: f.cpu_count,
        gpuName: f.gpu_name?.toLowerCase() ?? null,
        gpuCount: f.gpu_count,
        gpuCapacityGib: f.gpu_capacity,
        ramGib: f.ram,
        diskGib: f.hard_disk,
      };
    } else {
      state = "invalid";
      reason = verdict.reason.slice(0, 300);
    }
  }
  // An unreachable miner keeps its last report (it may be back at the next round); the others replace it.
  const keep = state === "unreachable" && previous;
  const data = {
    state,
    reason,
    checkedAt: at,
    ...(keep
      ? {}
      : { specs, cpuCount: null, gpuName: null, gpuCount: 0, gpuCapacityGib: 0, ramGib: 0, diskGib: 0, ...figures }),
    ...(state === "reported" ? { lastSeenAt: at } : {}),
  };
  await db().computeMiner.upsert({
    where: { netuid_hotkey: { netuid, hotkey } },
    create: { netuid, hotkey, ...data, checkedAt: at },
    update: data,
  });
  const digest = createHash("sha256")
    .update(`${state}\n${reason ?? ""}\n${specs ?? ""}`)
    .digest("hex");
  const last = await db().specsReport.findFirst({
    where: { netuid, hotkey },
    orderBy: { id: "desc" },
    select: { digest: true },
  });
  const changed = last?.digest !== digest;
  if (changed) await db().specsReport.create({ data: { netuid, hotkey, at, state, reason, digest, specs } });
  return { state, changed };
}
