import { z } from "zod";
import { adminProcedure, router, viewerProcedure } from "../trpc/init";
import { computeHealth } from "./health";
import { allocationsView, inventoryView } from "./queries";
import { allocateHotkey, allocateSpec } from "./allocations/allocate";
import { dockerAction } from "./allocations/docker";
import { allocationByUuid } from "./allocations/lookup";
import { deallocate } from "./allocations/release";
import { matchSpec, noMatchReason } from "./market";
import { POG_JOB } from "./pog/run";
import { jobs } from "../jobs";
import { deviceRequirementSchema, dockerRequirementSchema, sshPublicKeySchema } from "./forms";

const uuid = z.string().uuid();

export const computeRouter = router({
  /** Overview's compute card. */
  health: viewerProcedure.query(() => computeHealth()),
  /** The GPU inventory page: every compute miner as last checked, and GPUs by model. */
  inventory: viewerProcedure.query(() => inventoryView()),

  /** The Allocations page: live allocations, then the last ended ones (no passwords). */
  // Whole uuids act on a rental: admins only (viewers see a prefix).
  allocations: viewerProcedure.query(({ ctx }) => allocationsView(ctx.user?.role === "admin")),

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
