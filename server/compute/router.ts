import { z } from "zod";
import { db } from "../db";
import { netuidOf } from "../env";
import { adminProcedure, router, viewerProcedure } from "../trpc/init";
import { computeHealth } from "./health";
import {
  allocateHotkey,
  allocateSpec,
  allocationByUuid,
  deallocate,
  dockerAction,
  maskUuid,
  viewOf,
} from "./allocations";
import { sameGpu } from "./pog/gpus";
import { availability, customerRentalsWhere, market, matchSpec, noMatchReason, POG_RENTER } from "./market";
import { POG_JOB } from "./pog/run";
import { verification } from "./pog/verification";
import { jobs } from "../jobs";
import { deviceRequirementSchema, dockerRequirementSchema, sshPublicKeySchema } from "./forms";

const uuid = z.string().uuid();

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

export const computeRouter = router({
  /** Overview's compute card. */
  health: viewerProcedure.query(() => computeHealth()),
  /** The GPU inventory page: every compute miner as last checked, and GPUs by model. */
  inventory: viewerProcedure.query(async () => {
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
  }),

  /** The Allocations page: live allocations, then the last ended ones (no passwords). */
  allocations: viewerProcedure.query(async ({ ctx }) => {
    // Whole uuids act on a rental: admins only (viewers see a prefix).
    const admin = ctx.user?.role === "admin";
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
  }),

  /** Starts a Proof of GPU round now instead of at the next interval (the round runs as the job). */
  runProof: adminProcedure.mutation(async () => {
    await jobs().runNow([POG_JOB]);
    return { message: "A Proof of GPU round starts within a few seconds" };
  }),

  /** How many free miners meet a requirement, and why none when none does (the Allocate form, as the admin types). */
  matches: viewerProcedure.input(deviceRequirementSchema).query(async ({ input }) => {
    const m = await matchSpec(input);
    return { count: m.free.length, why: m.free.length ? null : noMatchReason(m) };
  }),

  /** Rent by spec or by hotkey; the answer carries the password, shown once. */
  allocate: adminProcedure
    .input(
      z.discriminatedUnion("by", [
        z.object({
          by: z.literal("spec"),
          requirements: deviceRequirementSchema,
          docker_requirement: dockerRequirementSchema,
        }),
        z.object({
          by: z.literal("hotkey"),
          hotkey: z.string().min(1).max(64),
          docker_requirement: dockerRequirementSchema,
        }),
      ]),
    )
    .mutation(({ input, ctx }) => {
      const by = `admin:${ctx.user?.name ?? "admin"}`;
      return input.by === "spec"
        ? allocateSpec(input.requirements, input.docker_requirement, by)
        : allocateHotkey(input.hotkey, input.docker_requirement, by);
    }),

  /** restart, pause, unpause, exchange_key or deallocate one allocation; the miner's answer comes back. */
  act: adminProcedure
    .input(
      z.discriminatedUnion("action", [
        z.object({ uuid, action: z.enum(["restart", "pause", "unpause", "deallocate"]) }),
        z.object({ uuid, action: z.literal("exchange_key"), ssh_key: sshPublicKeySchema }),
      ]),
    )
    .mutation(async ({ input, ctx }) => {
      const a = await allocationByUuid(input.uuid);
      if (input.action === "deallocate") {
        await deallocate(a.hotkey, a.uuid, `admin:${ctx.user?.name ?? "admin"}`, true);
        return { message: "Resource deallocated successfully." };
      }
      const r = await dockerAction(
        a.hotkey,
        a.uuid,
        input.action,
        input.action === "exchange_key" ? { ssh_key: input.ssh_key, key_type: "user" } : undefined,
      );
      return { message: r.message };
    }),
});
