/** What every route of the compute marketplace API shares: its key, its envelopes, its number fields. */

/** One parsed value per distinct input (the allow-list is parsed once, not per request). */
function loadedOnce<T>(parse: (spec: string) => T): (spec: string) => T {
  let last: { spec: string; value: T } | null = null;
  return (spec) => {
    if (last?.spec !== spec) last = { spec, value: parse(spec) };
    return last.value;
  };
}
import { z } from "zod";
import { config } from "../env";
import { ForbiddenError } from "../errors";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address";
import { allowList, isAllowed } from "./allow-list";
import { apiKeyAuth } from "../rest/auth";
import { apiKey as storedApiKey } from "../auth/api-keys";
import { computeConfig } from "./config";

const apiKey = apiKeyAuth(
  "computeApiKey",
  () => storedApiKey("compute"),
  "The compute marketplace API is off: create its key on Settings, or set COMPUTE_API_KEY",
  () => computeConfig().COMPUTE_ADMIN_KEY,
);

/** The caller's address must be allowed (COMPUTE_ALLOWED_IPS) before its key is even looked at. */
const allowedIps = loadedOnce((spec: string) => allowList(spec));
export function checkAddress(address: string): void {
  const spec = computeConfig().COMPUTE_ALLOWED_IPS;
  if (spec && !isAllowed(allowedIps(spec), address)) throw new ForbiddenError("Access forbidden: IP not whitelisted");
}

export const auth: typeof apiKey = {
  ...apiKey,
  openapi: {
    ...apiKey.openapi,
    description: `${apiKey.openapi.description as string}. With COMPUTE_ALLOWED_IPS set, other addresses get 403 first.`,
  },
  authenticate(req) {
    checkAddress(req.headers.get(CLIENT_ADDRESS_HEADER) ?? "");
    return apiKey.authenticate(req);
  },
};
export const common = {
  module: "compute",
  format: "sn27",
  method: "POST",
  invalidStatus: 422,
  auth,
  errors: {
    401: "Missing or invalid API key (Authorization: Bearer <key>, or X-API-Key)",
    403: "The API is off (no key: create one on Settings, or set COMPUTE_API_KEY), or the caller's address is not in COMPUTE_ALLOWED_IPS",
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
