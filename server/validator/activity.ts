import { db } from "../db";
import { AppError } from "../errors";
import { lazy } from "../global";
import { log } from "../log";

/**
 * What each miner hotkey did on the validator API (downloads and submissions served or refused), so the
 * dashboard can say which miners are being refused and why. Requests are counted in memory and written
 * once per key and second: a burst of refusals costs one upsert per miner, not one per request.
 */
export type Outcome = "served" | "refused";

interface Pending {
  hotkey: string;
  route: string;
  outcome: Outcome;
  count: number;
  lastStatus: number;
  lastReason: string | null;
  lastAt: Date;
}

/** Distinct keys held between two writes; past it, events are dropped (and counted in the log). */
const MAX_PENDING = 2_000;
const FLUSH_MS = 1_000;
export const ACTIVITY_RETENTION_MS = 7 * 24 * 3600_000;

/** This process's counts not yet written (one per runtime, like the other shared state). */
const buffer = lazy(() => ({
  pending: new Map<string, Pending>(),
  dropped: 0,
  timer: null as NodeJS.Timeout | null,
  flushing: Promise.resolve(),
  lastPrune: 0,
}));

export function recordActivity(
  hotkey: string,
  route: string,
  outcome: Outcome,
  status: number,
  reason: string | null = null,
): void {
  const b = buffer();
  const key = `${hotkey}\n${route}\n${outcome}`;
  const entry = b.pending.get(key);
  const at = new Date();
  if (entry) {
    entry.count++;
    entry.lastStatus = status;
    entry.lastReason = reason;
    entry.lastAt = at;
  } else if (b.pending.size >= MAX_PENDING) {
    b.dropped++;
    return;
  } else {
    b.pending.set(key, { hotkey, route, outcome, count: 1, lastStatus: status, lastReason: reason, lastAt: at });
  }
  b.timer ??= setTimeout(() => void flushActivity(), FLUSH_MS).unref();
}

/** Runs `fn` for a miner's request and records its outcome: served, or refused with the error's status. */
export async function recorded<T>(hotkey: string, route: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    const result = await fn();
    recordActivity(hotkey, route, "served", 200);
    return result;
  } catch (e) {
    if (e instanceof AppError && e.status < 500) recordActivity(hotkey, route, "refused", e.status, e.message);
    throw e;
  }
}

/** Writes what was counted since the last write (also called at shutdown and by tests). */
export function flushActivity(): Promise<void> {
  const b = buffer();
  if (b.timer) clearTimeout(b.timer);
  b.timer = null;
  const batch = [...b.pending.values()];
  b.pending.clear();
  if (b.dropped)
    log.warn({ dropped: b.dropped }, "miner activity: too many distinct hotkeys in one second, some not recorded");
  b.dropped = 0;
  b.flushing = b.flushing
    .then(() => write(batch))
    .catch((e) => log.error({ err: (e as Error).message }, "miner activity"));
  return b.flushing;
}

async function write(batch: Pending[]): Promise<void> {
  for (const p of batch) {
    const reason = p.lastReason?.slice(0, 500) ?? null;
    await db().minerActivity.upsert({
      where: { hotkey_route_outcome: { hotkey: p.hotkey, route: p.route, outcome: p.outcome } },
      create: { ...p, lastReason: reason, firstAt: p.lastAt },
      update: { count: { increment: p.count }, lastStatus: p.lastStatus, lastReason: reason, lastAt: p.lastAt },
    });
  }
  const b = buffer();
  if (Date.now() - b.lastPrune > 3600_000) {
    b.lastPrune = Date.now();
    await db().minerActivity.deleteMany({ where: { lastAt: { lt: new Date(Date.now() - ACTIVITY_RETENTION_MS) } } });
  }
}

/** A miner counts as "being refused" while its last refusal is this recent. */
export const REFUSED_WINDOW_MS = 3600_000;

export interface ActivityRow {
  hotkey: string;
  route: string;
  outcome: string;
  count: number;
  lastStatus: number;
  lastReason: string | null;
  firstAt: Date;
  lastAt: Date;
}

/** Activity rows, newest first: of one miner, or of every miner refused since `since`. */
export async function listActivity(filter: { hotkey?: string; refusedSince?: Date }): Promise<ActivityRow[]> {
  return db().minerActivity.findMany({
    where: {
      hotkey: filter.hotkey,
      ...(filter.refusedSince ? { outcome: "refused", lastAt: { gte: filter.refusedSince } } : {}),
    },
    orderBy: { lastAt: "desc" },
    take: 200,
  });
}

/** The latest refusal per hotkey, with the number of refused requests over its routes. */
export function refusalsByHotkey(rows: ActivityRow[]) {
  const out = new Map<string, { count: number; route: string; status: number; reason: string | null; at: Date }>();
  for (const r of rows) {
    const seen = out.get(r.hotkey);
    if (seen) seen.count += r.count;
    else
      out.set(r.hotkey, { count: r.count, route: r.route, status: r.lastStatus, reason: r.lastReason, at: r.lastAt });
  }
  return out;
}
