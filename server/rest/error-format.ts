import { isAppError } from "../errors";
import { json, type Reply } from "./reply";

/**
 * Each module keeps its upstream's error envelope:
 * - fastapi: {"detail": "..."}; validation failures {"detail": [{loc, msg, type}]} (seeds 000-003)
 * - sn27:    {"success": false, "message": "...", "err_detail": ...} (seed 004)
 */
export type ErrorFormat = "fastapi" | "sn27";

export function formatError(format: ErrorFormat, e: unknown): Reply {
  const app = isAppError(e) ? e : null;
  const status = app?.status ?? 500;
  const message = app?.message ?? "Internal Server Error";
  const headers = app?.headers;
  if (format === "sn27") {
    return json({ success: false, message, err_detail: app?.detail ?? message }, status, headers);
  }
  if (app?.code === "validation_error" && Array.isArray(app.detail)) {
    return json(
      { detail: app.detail.map((d) => ({ loc: d.field.split("."), msg: d.message, type: "value_error" })) },
      status,
      headers,
    );
  }
  return json({ detail: message }, status, headers);
}
