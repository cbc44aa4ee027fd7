import { z } from "zod";
import { ss58Schema } from "../../validator/schemas";

/** Admin forms of the validator module; the dashboard validates with the same schemas. */
export const publishSchema = z.object({
  dir: z.string().trim().min(1, "the model directory is required").max(1024),
  name: z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/, "version name: 1-64 letters, digits, '.', '_' or '-'"),
  blockNumber: z.number().int().min(0).optional(),
});

export const assignmentSchema = z.object({ hotkey: ss58Schema, expertGroup: z.number().int().min(0).max(1_000_000) });
