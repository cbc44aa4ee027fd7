/** The validator API (role `validator`): its face for other modules, and its manifest. */
import { z } from "zod";
import { config } from "../env";
import { defineJob, defineModule } from "../module";
import { validatorRoutes } from "./api";
import { startValidator } from "./lifecycle";
import { MERGE_JOB, mergeRound } from "./merge";
import { evaluateSubmission } from "./pipeline";
import { validatorRouter } from "./router";
import { EVALUATE_JOB } from "./submissions";
import { SET_WEIGHTS_JOB, setWeightsOnChain } from "./weights";

export { signSubmission, submissionMessage } from "./message";

export const validatorModule = defineModule({
  name: "validator",
  role: "validator",
  title: "Validator API",
  routes: validatorRoutes,
  router: validatorRouter,
  jobs: [
    defineJob({
      kind: EVALUATE_JOB,
      payload: z.object({ submissionId: z.string().uuid() }),
      leaseMs: 120_000,
      run: ({ submissionId }) => evaluateSubmission(submissionId),
    }),
    defineJob({
      kind: MERGE_JOB,
      payload: z.object({ round: z.number().int().min(0) }),
      leaseMs: 120_000,
      run: async ({ round }) => void (await mergeRound(round)),
    }),
    defineJob({
      kind: SET_WEIGHTS_JOB,
      payload: z.object({}),
      everyMs: () => config().WEIGHTS_INTERVAL_BLOCKS * config().BLOCK_TIME_MS,
      run: async () => void (await setWeightsOnChain()),
    }),
  ],
  start: startValidator,
  nav: [
    { href: "/models", label: "Models" },
    { href: "/submissions", label: "Submissions" },
    { href: "/miners", label: "Miners" },
  ],
});
