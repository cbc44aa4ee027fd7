/** What the compute pages read (the inventory, the Allocations page): the router's queries, no HTTP. */
import { db } from "../db";
import { netuidOf } from "../env";
import { maskUuid, viewOf } from "./allocations/lookup";
import { availability, customerRentalsWhere, market, POG_RENTER } from "./market";
import { sameGpu } from "./pog/gpus";
import { verification } from "./pog/verification";

/** The marketplace's word for each state of a machine (the inventory page's Status). */
const OFFER_LABEL = {
  available: "available",
  rented: "rented",
  verifying: "being verified",
  unverified: "not offered",
} as const;

/** What the inventory page shows: the marketplace's view of a reporting machine, else offline, invalid, no specs. */
function statusOf(state: string, offer: ReturnType<typeof availability> | undefined) {
  if (state === "reported") return OFFER_LABEL[offer ?? "available"];
  return state === "unreachable" ? "offline" : state === "invalid" ? "invalid" : "no specs";
}

/** The GPU inventory page: every compute miner as last checked, the marketplace's view of it, GPUs by model. */
export async function inventoryView() {
  const netuid = netuidOf("compute");
  const [miners, mk, samples, proofs] = await Promise.all([
    db().computeMiner.findMany({ where: { netuid }, orderBy: [{ gpuCount: "desc" }, { hotkey: "asc" }] }),
    market(netuid),
    db().inventorySample.findMany({
      where: { netuid, at: { gte: new Date(Date.now() - 86_400_000) } },
      orderBy: { at: "asc" },
      select: { at: true, gpus: true, gpusReserved: true },
    }),
    verification(netuid),
  ]);
  const reserved = mk.rented;
  const offers = new Map(mk.machines.map((m) => [m.hotkey, availability(m, mk)]));
  const byModel = new Map<string, { model: string; gpus: number; reserved: number; machines: number }>();
  for (const m of miners) {
    if (m.state !== "reported" || !m.gpuName) continue;
    const row = byModel.get(m.gpuName) ?? { model: m.gpuName, gpus: 0, reserved: 0, machines: 0 };
    row.gpus += m.gpuCount;
    if (reserved.has(m.hotkey)) row.reserved += m.gpuCount;
    row.machines += 1;
    byModel.set(m.gpuName, row);
  }
  return {
    netuid,
    miners: miners.map(({ specs: _s, netuid: _n, ...m }) => {
      const p = proofs.get(m.hotkey);
      return {
        ...m,
        status: statusOf(m.state, offers.get(m.hotkey)),
        proof: p
          ? {
              verified: p.verified,
              failures: p.failures,
              identified: p.identified,
              score: p.score,
              reason: p.reason,
              at: p.at.toISOString(),
              // The GPU it claims is not the one its benchmark identifies.
              mismatch: !!(p.identified && m.gpuName && !sameGpu(p.identified, m.gpuName)),
            }
          : null,
      };
    }),
    byModel: [...byModel.values()].sort((a, b) => b.gpus - a.gpus),
    samples: samples.map((x) => ({
      at: x.at.getTime(),
      available: x.gpus - x.gpusReserved,
      reserved: x.gpusReserved,
    })),
  };
}

/** The Allocations page: customers' live rentals, the last ended ones (no passwords), webhook deliveries. */
export async function allocationsView(admin: boolean) {
  const netuid = netuidOf("compute");
  const [live, ended, webhooks] = await Promise.all([
    db().allocation.findMany({ where: customerRentalsWhere(netuid), orderBy: { id: "desc" } }),
    db().allocation.findMany({
      where: { netuid, state: { in: ["released", "failed"] }, createdBy: { not: POG_RENTER } },
      orderBy: { id: "desc" },
      take: 20,
    }),
    db().webhookDelivery.findMany({
      orderBy: { id: "desc" },
      take: 30,
      select: {
        id: true,
        event: true,
        hotkey: true,
        uuid: true,
        status: true,
        attempts: true,
        lastStatus: true,
        lastError: true,
        createdAt: true,
        deliveredAt: true,
      },
    }),
  ]);
  const row = (a: (typeof live)[number]) => ({
    ...viewOf(a, "", admin),
    reason: a.reason,
    createdBy: a.createdBy,
    releasedAt: a.releasedAt?.toISOString() ?? null,
    statusChangedAt: a.statusChangedAt.toISOString(),
  });
  return {
    live: live.map(row),
    ended: ended.map(row),
    webhooks: admin ? webhooks : webhooks.map((w) => ({ ...w, uuid: maskUuid(w.uuid) })),
  };
}
