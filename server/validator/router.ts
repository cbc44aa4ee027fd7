import { z } from "zod";
import { rotateValidatorToken, validatorToken } from "../auth/secrets";
import { chain, listNeurons } from "../chain";
import { NotFoundError } from "../errors";
import { listVersions, publishVersion } from "../models";
import { adminProcedure, router, viewerProcedure } from "../trpc/init";
import { listAssignments, removeAssignment, setAssignment } from "./assignments";
import { assignmentSchema, publishSchema } from "./forms";
import {
  currentGroups,
  currentRound,
  listSubmissions,
  minerScores,
  submissionDetail,
  SUBMISSION_STATES,
} from "./queries";
import { ss58Schema } from "./schemas";
import { lastWeights } from "./weights";

export const validatorRouter = router({
  models: viewerProcedure.query(async () => ({ versions: await listVersions(), groups: currentGroups() })),
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
    return { round, miners: await minerScores(round), onChain: await lastWeights() };
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
  neurons: viewerProcedure.query(async () => (await listNeurons()).map((n) => ({ uid: n.uid, hotkey: n.hotkey }))),
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
