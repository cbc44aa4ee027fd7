/** The compute marketplace's own variables (its API key is in the base configuration: Settings manages it). */
import { z } from "zod";
import { flag, int, moduleConfig, webhookUrl } from "../env";
import { allowList } from "./allow-list";

export const computeConfig = moduleConfig(
  z
    .object({
      /** How often compute miners are asked for their Specs, in seconds. */
      COMPUTE_SPECS_S: int(600, 5, 86_400),
      /** Addresses and CIDR ranges allowed to call the compute API (others: 403); unset: any. */
      COMPUTE_ALLOWED_IPS: z
        .string()
        .max(8192)
        .optional()
        .superRefine((v, ctx) => {
          if (!v) return;
          try {
            allowList(v);
          } catch (e) {
            ctx.addIssue({ code: "custom", message: (e as Error).message });
          }
        }),
      /** A second key for admin-only reads of the compute API (`include_secrets=true` on /list/allocations_sql). */
      COMPUTE_ADMIN_KEY: z.string().min(16, "must be at least 16 characters").optional(),
      /** How often every allocation's miner is asked whether the rental is running, in seconds. */
      ALLOCATION_CHECK_S: int(180, 1, 86_400),
      /** Failed checks (or unconfirmed releases) after which an allocation ends. */
      ALLOCATION_MAX_STRIKES: int(20, 1, 1000),
      /** Webhooks about allocations (upstream's bodies, signed with WEBHOOKS_SECRET in x-webhook-signature). */
      DEALLOCATION_NOTIFY_URL: webhookUrl,
      STATUS_NOTIFY_URL: webhookUrl,
      WEBHOOKS_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
      WEBHOOK_MAX_ATTEMPTS: int(10, 1, 100),
      /** Proof of GPU: blocks between rounds (default 360; 10 on the devnet), miners at once, matrix size, step deadline. */
      POG_INTERVAL_BLOCKS: z.coerce.number().int().min(1).max(1_000_000).optional(),
      POG_CONCURRENCY: int(16, 1, 256),
      /** Rent machines whose Proof of GPU does not hold (upstream's behaviour); by default GPU requests match verified ones. */
      ALLOCATE_UNVERIFIED: flag,
      POG_MATRIX_N: z.coerce.number().int().min(32).max(65_536).optional(),
      POG_STEP_TIMEOUT_S: int(120, 1, 3600),
      /** /connect's keepalive period (upstream: 30 s). */
      COMPUTE_KEEPALIVE_MS: int(30_000, 50, 3_600_000),
    })
    .refine((c) => !(c.DEALLOCATION_NOTIFY_URL || c.STATUS_NOTIFY_URL) || !!c.WEBHOOKS_SECRET, {
      message: "DEALLOCATION_NOTIFY_URL and STATUS_NOTIFY_URL need WEBHOOKS_SECRET (webhooks are signed)",
      path: ["WEBHOOKS_SECRET"],
    }),
);
