/** The validator API's own variables (the miner token, models and weights are in the base configuration). */
import { z } from "zod";
import { flag, int, list, moduleConfig } from "../env";

export const validatorConfig = moduleConfig(
  z
    .object({
      /** Hotkeys served /model/full besides those with a validator permit. */
      VALIDATOR_HOTKEYS: list,
      /** Let checkpoint URLs name private or loopback addresses (always allowed on the devnet). */
      ALLOW_PRIVATE_CHECKPOINT_URLS: flag,
      CHECKPOINT_CONNECT_TIMEOUT_S: int(5, 1, 600),
      CHECKPOINT_TIMEOUT_S: int(120, 1, 86_400),
      EVALUATOR: z.enum(["builtin", "command"]).default("builtin"),
      EVALUATOR_CMD: z.string().optional(),
      EVALUATOR_TIMEOUT_S: int(600, 1, 86_400),
    })
    .refine((c) => c.EVALUATOR !== "command" || !!c.EVALUATOR_CMD, {
      message: "EVALUATOR=command needs EVALUATOR_CMD",
      path: ["EVALUATOR_CMD"],
    }),
);
