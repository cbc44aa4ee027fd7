import { z } from "zod";
import { rotateValidatorToken, validatorToken } from "../auth/secrets";
import { chain, listNeurons } from "../chain";
import { config, netuidOf } from "../env";
import { NotFoundError } from "../errors";
import { listVersions, publishVersion, serveVersion } from "../models";
import { adminProcedure, router, viewerProcedure } from "../trpc/init";
import { listAssignments, removeAssignment, setAssignment } from "./assignments";
import { assignmentSchema, publishSchema } from "./forms";
import {
  currentGroups,
  currentRound,
  listSubmissions,
  minerScores,
  modelProgress,
  submissionDetail,
  SUBMISSION_STATES,
} from "./queries";
import { ss58Schema } from "./schemas";
import { weightsHistory } from "../chain/weights";
import { lastMerge } from "./merge";
import { minerDetail, roundHealth } from "./health";

export const validatorRouter = router({
  models: viewerProcedure.query(async () => {
    const [versions, progress, merge] = await Promise.all([listVersions(), modelProgress(), lastMerge()]);
    const extra = new Map(progress.versions.map((v) => [v.id, v]));
    return {
      versions: versions.map((v) => ({
        ...v,
        baselineLoss: extra.get(v.id)?.baselineLoss ?? null,
        submissions: extra.get(v.id)?.submissions ?? 0,
        lineage: extra.get(v.id)?.lineage ?? null,
      })),
      rounds: progress.rounds,
      groups: currentGroups(),
      lastMerge: merge,
    };
  }),
  /** An admin's rollback (or roll forward): serve this published version to miners from now on. */
  serve: adminProcedure.input(z.object({ id: z.number().int().min(1) })).mutation(async ({ input }) => {
    const v = await serveVersion(input.id);
    return { name: v.name };
  }),
  health: viewerProcedure.query(() => roundHealth()),
  miner: viewerProcedure.input(z.object({ hotkey: z.string().max(64) })).query(async ({ input }) => {
    const m = await minerDetail(input.hotkey);
    if (!m) throw new NotFoundError("This hotkey is not on the subnet and has never used this validator");
    return m;
  }),
  submissions: viewerProcedure
    .input(
      z
        .object({
          state: z.enum(SUBMISSION_STATES).optional(),
          hotkey: z.string().max(64).optional(),
          round: z.number().int().optional(),
          limit: z.number().int().min(1).max(500).optional(),
        })
        .optional(),
    )
    .query(({ input }) => listSubmissions(input ?? {})),
  submission: viewerProcedure.input(z.object({ id: z.string().uuid() })).query(async ({ input }) => {
    const s = await submissionDetail(input.id);
    if (!s) throw new NotFoundError("No such submission");
    return s;
  }),
  miners: viewerProcedure.query(async () => {
    const round = currentRound();
    const [miners, weights] = await Promise.all([minerScores(round), weightsHistory("validator", 8)]);
    return { round, miners, weights, setWeights: config().SET_WEIGHTS };
  }),
  publish: adminProcedure.input(publishSchema).mutation(async ({ input, ctx }) => {
    const v = await publishVersion({
      dir: input.dir,
      name: input.name,
      blockNumber: input.blockNumber ?? chain().head() ?? 0,
      by: ctx.user.name,
    });
    return { name: v.name };
  }),
  assignments: viewerProcedure.query(() => listAssignments()),
  /** Hotkeys of the subnet, for the assignment form. */
  neurons: viewerProcedure.query(async () =>
    (await listNeurons(netuidOf("validator"))).map((n) => ({ uid: n.uid, hotkey: n.hotkey })),
  ),
  assign: adminProcedure
    .input(assignmentSchema.extend({ hotkey: ss58Schema }))
    .mutation(({ input, ctx }) =>
      setAssignment(input.hotkey, input.expertGroup, ctx.user.name, input.allowUnregistered),
    ),
  unassign: adminProcedure
    .input(z.object({ hotkey: z.string().max(64) }))
    .mutation(({ input }) => removeAssignment(input.hotkey)),
  token: adminProcedure.query(() => ({ token: validatorToken() ?? null })),
  rotateToken: adminProcedure.mutation(async () => ({ token: await rotateValidatorToken() })),
});
