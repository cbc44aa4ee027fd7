/**
 * Webhooks about allocations, with upstream's bodies: DEALLOCATION to DEALLOCATION_NOTIFY_URL, ONLINE and
 * OFFLINE to STATUS_NOTIFY_URL. The body is compact JSON and `x-webhook-signature` the hex HMAC-SHA256 of
 * exactly those bytes under WEBHOOKS_SECRET. Each delivery is a row (status, attempts, last error) and a job
 * in the job table, retried with backoff, so an event survives a restart.
 */
import { createHmac } from "node:crypto";
import { db } from "../db";
import { config } from "../env";
import { jobs } from "../jobs";
import { log } from "../log";
import { computeConfig } from "./config";

export const WEBHOOK_JOB = "compute.webhook";
export type WebhookEvent = "DEALLOCATION" | "ONLINE" | "OFFLINE";
const TIMEOUT_MS = 3000;

/** Upstream's timestamps: '%Y-%m-%dT%H:%M:%S.%fZ' (microseconds). */
export function pythonUtc(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export function signature(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("hex");
}

/** Upstream's body, in its key order, compact. */
export function webhookBody(event: WebhookEvent, hotkey: string, uuid: string, at: Date, now = new Date()): string {
  const when = event === "DEALLOCATION" ? "deallocated_at" : "status_change_at";
  return JSON.stringify({ time: pythonUtc(now), [when]: pythonUtc(at), hotkey, status: event, uuid });
}

/** Records a delivery and schedules it; nothing when the event's URL is not configured. */
export async function notify(event: WebhookEvent, a: { hotkey: string; uuid: string }, at = new Date()): Promise<void> {
  const c = computeConfig();
  const url = event === "DEALLOCATION" ? c.DEALLOCATION_NOTIFY_URL : c.STATUS_NOTIFY_URL;
  if (!url) return;
  const row = await db().webhookDelivery.create({
    data: { event, hotkey: a.hotkey, uuid: a.uuid, url, body: webhookBody(event, a.hotkey, a.uuid, at) },
  });
  await jobs().enqueue(WEBHOOK_JOB, { id: row.id }, { maxAttempts: c.WEBHOOK_MAX_ATTEMPTS + 1 });
}

/**
 * One attempt (the job): 2xx is delivered; anything else throws so the job table retries with backoff,
 * until WEBHOOK_MAX_ATTEMPTS, after which the delivery is marked failed.
 */
export async function deliver(id: number): Promise<void> {
  const d = await db().webhookDelivery.findUnique({ where: { id } });
  if (!d || d.status !== "pending") return;
  const c = computeConfig();
  const secret = c.WEBHOOKS_SECRET ?? "";
  let status: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(d.url, {
      method: "POST",
      headers: { accept: "*/*", "content-type": "application/json", "x-webhook-signature": signature(d.body, secret) },
      body: d.body,
      redirect: "manual",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    status = res.status;
    await res.body?.cancel();
    if (res.status < 200 || res.status > 299) error = `answered ${res.status}`;
  } catch (e) {
    error = (e as Error).name === "TimeoutError" ? `no answer within ${TIMEOUT_MS} ms` : (e as Error).message;
  }
  const attempts = d.attempts + 1;
  const done = error === null;
  const failed = !done && attempts >= c.WEBHOOK_MAX_ATTEMPTS;
  await db().webhookDelivery.update({
    where: { id },
    data: {
      attempts,
      lastStatus: status,
      lastError: error?.slice(0, 300) ?? null,
      ...(done ? { status: "delivered", deliveredAt: new Date() } : failed ? { status: "failed" } : {}),
    },
  });
  if (failed) log.warn({ id, event: d.event, hotkey: d.hotkey, error }, "webhook given up");
  else if (!done) throw new Error(`webhook ${d.event} to ${new URL(d.url).host}: ${error}`);
}
