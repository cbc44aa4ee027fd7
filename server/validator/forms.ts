/**
 * Admin forms of the validator module. Imports only zod (and a decoding-free SS58 shape check) so the
 * dashboard's client components validate with the same schemas the server does.
 */
import { z } from "zod";
import { looksLikeSs58 } from "../crypto/ss58-format";

export const publishSchema = z.object({
  dir: z.string().trim().min(1, "the model directory is required").max(1024),
  name: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, "version name: 1-64 letters, digits, '.', '_' or '-'"),
  blockNumber: z.number().int().min(0).optional(),
});

export const hotkeyFieldSchema = z.string().trim().max(64).refine(looksLikeSs58, "must be an SS58 address");

export const assignmentSchema = z.object({
  hotkey: hotkeyFieldSchema,
  expertGroup: z.number({ error: "pick a group" }).int().min(0).max(1_000_000),
  /** The admin confirmed assigning a hotkey that is not registered on the subnet. */
  allowUnregistered: z.boolean().optional(),
});
