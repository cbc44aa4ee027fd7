/** What every route of the compute marketplace API shares: its key, its envelopes, its number fields. */
import { z } from "zod";
import { config } from "../env";
import { apiKeyAuth } from "../rest/auth";

export const auth = apiKeyAuth(
  "computeApiKey",
  () => config().COMPUTE_API_KEY,
  "The compute marketplace API is off: set COMPUTE_API_KEY",
  () => config().COMPUTE_ADMIN_KEY,
);
export const common = {
  module: "compute",
  format: "sn27",
  method: "POST",
  invalidStatus: 422,
  auth,
  errors: {
    401: "Missing or invalid API key (Authorization: Bearer <key>, or X-API-Key)",
    403: "COMPUTE_API_KEY is not set on this console",
  },
} as const;
export const key = `-H "Authorization: Bearer <COMPUTE_API_KEY>"`;
export const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
export const envelope = (data: z.ZodType) => z.object({ success: z.literal(true), message: z.string(), data });
export const whole = (max: number) => z.number().int().min(0).max(max);
export const count = z.object({ count: whole(1_000_000_000) }).meta({ id: "Count" });
