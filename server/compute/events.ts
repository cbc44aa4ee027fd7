/**
 * What happens to allocations and the inventory, for `/connect` clients: allocation created, status changed,
 * deallocated, inventory changed. Published in this process at once and, on Postgres, to the other
 * instances through LISTEN/NOTIFY (each event carries its origin, so none is delivered twice).
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import pg from "pg";
import { db } from "../db";
import { config } from "../env";
import { lazy } from "../global";
import { log } from "../log";

export type ComputeEventType =
  "allocation.created" | "allocation.status" | "allocation.deallocated" | "allocation.releasing" | "inventory.changed";

export interface ComputeEvent {
  type: ComputeEventType;
  payload: Record<string, unknown>;
}

const CHANNEL = "compute_events";
const origin = randomUUID();
const bus = lazy(() => new EventEmitter().setMaxListeners(0));

/** Every event from now on (this instance's and, on Postgres, the others'); returns the unsubscribe. */
export function onComputeEvent(listener: (e: ComputeEvent) => void): () => void {
  bus().on("event", listener);
  return () => void bus().off("event", listener);
}

export async function publish(type: ComputeEventType, payload: Record<string, unknown>): Promise<void> {
  const event: ComputeEvent = { type, payload: { ...payload, time: new Date().toISOString() } };
  bus().emit("event", event);
  if (!isPostgres()) return;
  try {
    await db().$executeRaw`SELECT pg_notify(${CHANNEL}, ${JSON.stringify({ origin, event })})`;
  } catch (e) {
    log.warn({ err: (e as Error).message, type }, "compute event not shared with other instances");
  }
}

const isPostgres = () => /^postgres(ql)?:/.test(config().DATABASE_URL);

/** On Postgres: relays the other instances' events to this one's listeners. Returns the stop. */
export async function listenToOtherInstances(): Promise<() => Promise<void>> {
  if (!isPostgres()) return async () => undefined;
  const client = new pg.Client({ connectionString: config().DATABASE_URL });
  client.on("error", (e) => log.warn({ err: e.message }, "compute events listener failed"));
  client.on("notification", (n) => {
    if (n.channel !== CHANNEL || !n.payload) return;
    try {
      const msg = JSON.parse(n.payload) as { origin: string; event: ComputeEvent };
      if (msg.origin !== origin) bus().emit("event", msg.event);
    } catch {
      // Not ours.
    }
  });
  await client.connect();
  await client.query(`LISTEN ${CHANNEL}`);
  return async () => {
    await client.end().catch(() => undefined);
  };
}
