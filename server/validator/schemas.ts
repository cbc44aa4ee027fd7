import { z } from "zod";
import { isSs58Address } from "../crypto/signature";
import { blocks } from "../phases";

export const ss58Schema = z
  .string()
  .trim()
  .max(64)
  .refine((v) => isSs58Address(v), "must be an SS58 address");

export const healthSchema = z
  .object({
    status: z
      .enum(["healthy", "degraded"])
      .describe('"healthy" when operating normally: a model is loaded and the chain head is known'),
    model_loaded: z.boolean(),
    current_block: blocks().nullable().describe("Most recently observed chain block number"),
    phase: z
      .string()
      .nullable()
      .describe("distribute | train | commit | submit | validate | merge (lower-case short name of the current phase)"),
  })
  .meta({ id: "ValidatorHealth" });

export const partialHeadersSchema = z.object({
  "x-expert-group": z
    .string()
    .regex(/^\d{1,6}$/, "must be a whole number")
    .transform(Number)
    .describe("Integer expert group ID"),
  "x-hotkey": ss58Schema.describe("Miner's SS58 hotkey address"),
});

export const checkpointSelectorSchema = z.object({
  expert_group_id: z
    .string()
    .regex(/^(\d{1,6}|shared)$/, "must be a group number or 'shared'")
    .optional()
    .describe("A group number, 'shared' for the shared tensors, absent for the full model"),
});

export const submitSchema = z
  .object({
    hotkey: ss58Schema.describe("Miner's SS58 Bittensor hotkey"),
    expert_group: z.number().int().min(0).max(1_000_000).describe("Expert group ID the checkpoint was trained for"),
    checkpoint_url: z
      .string()
      .max(2048)
      .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
      .refine((u) => /^https?:\/\//i.test(u) && URL.canParse(u), "must be an http or https URL")
      .refine(
        (u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password),
        "must not carry credentials (user:password@); use a signed URL instead",
      )
      .describe("URL from which the validator can fetch the checkpoint"),
    block_number: blocks().describe("Chain block at which the training cycle ended"),
    signature: z
      .string()
      .min(1)
      .max(200)
      .describe(
        "URL-safe base64 (padding optional) sr25519 or ed25519 signature by the hotkey over the UTF-8 bytes of the compact, key-sorted JSON of {block_number, checkpoint_url, expert_group, hotkey}",
      ),
  })
  .strict()
  .meta({ id: "Submission" });

export const submitResponseSchema = z
  .object({
    status: z.literal("accepted"),
    submission_id: z.string().uuid(),
    evaluation_eta_blocks: blocks().describe("Blocks until the end of the next Validate phase"),
  })
  .meta({ id: "SubmissionAccepted" });
