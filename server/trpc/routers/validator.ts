import { z } from "zod";
import { validatorToken } from "../../auth/secrets";
import { chain } from "../../chain";
import { db } from "../../db";
import { NotFoundError } from "../../errors";
import { listVersions, publishVersion } from "../../models";
import { phaseAt, schedule } from "../../phases";
import { assignmentSchema, publishSchema } from "./validator-schemas";
import { currentGroups, listSubmissions, minerScores, submissionDetail, SUBMISSION_STATES } from "../../validator/queries";
import { adminProcedure, router, viewerProcedure } from "../init";

const currentRound = () => {
  const head = chain().head();
  return head === null ? 0 : phaseAt(head, schedule()).cycle_index;
};


export const validatorRouter = router({
  models: viewerProcedure.query(async () => ({ versions: await listVersions(), groups: currentGroups() })),
  submissions: viewerProcedure
    .input(z.object({ state: z.enum(SUBMISSION_STATES).optional(), hotkey: z.string().max(64).optional(), round: z.number().int().optional(), limit: z.number().int().min(1).max(500).optional() }).optional())
    .query(({ input }) => listSubmissions(input ?? {})),
  submission: viewerProcedure.input(z.object({ id: z.string().uuid() })).query(async ({ input }) => {
    const s = await submissionDetail(input.id);
    if (!s) throw new NotFoundError("No such submission");
    return s;
  }),
  miners: viewerProcedure.query(async () => ({ round: currentRound(), miners: await minerScores(currentRound()) })),
  publish: adminProcedure.input(publishSchema).mutation(async ({ input, ctx }) => {
    const v = await publishVersion({ dir: input.dir, name: input.name, blockNumber: input.blockNumber ?? chain().head() ?? 0, by: ctx.user.name });
    return { name: v.name };
  }),
  assignments: viewerProcedure.query(() => db().minerAssignment.findMany({ orderBy: { expertGroup: "asc" } })),
  assign: adminProcedure.input(assignmentSchema).mutation(async ({ input, ctx }) => {
    await db().minerAssignment.upsert({ where: { hotkey: input.hotkey }, create: { ...input, assignedBy: ctx.user.name }, update: { expertGroup: input.expertGroup, assignedBy: ctx.user.name } });
    return db().minerAssignment.findMany({ orderBy: { expertGroup: "asc" } });
  }),
  unassign: adminProcedure.input(z.object({ hotkey: z.string() })).mutation(async ({ input }) => {
    await db().minerAssignment.deleteMany({ where: { hotkey: input.hotkey } });
    return db().minerAssignment.findMany({ orderBy: { expertGroup: "asc" } });
  }),
  token: adminProcedure.query(() => ({ token: validatorToken() ?? null })),
});
