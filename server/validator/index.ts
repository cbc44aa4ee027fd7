/** The validator API (role `validator`): its face for other modules, and its manifest. */
import { z } from "zod";
import { config } from "../env";
import { defineJob, defineModule } from "../module";
import { validatorConfig } from "./config";
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
  config: validatorConfig,
  docs: 'Validator API: Bearer token (BZ_AUTH_TOKEN) on everything but /health. Submission signatures: sr25519 or ed25519, URL-safe base64 with or without padding, over the UTF-8 of the compact sorted-key JSON of {block_number, checkpoint_url, expert_group, hotkey}. /model/full also needs a signed request: X-Hotkey, X-Timestamp (unix seconds, within 60 s), X-Signature over "{timestamp}.{METHOD}.{path with query}", each signature accepted once. Downloads carry X-Content-Hash (sha256 of the exact body) and support Range. /health phase names: distribute, train, commit, submit, validate, merge.',
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
      firstRunAfterMs: () => config().WEIGHTS_INTERVAL_BLOCKS * config().BLOCK_TIME_MS,
      enabled: () => config().SET_WEIGHTS,
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
