/** The query log: every organic and synthetic query, written in batches; organic answers scored on the way. */
import { db, type Prisma } from "../db";
import { netuidOf } from "../env";
import { lazy } from "../global";
import { log } from "../log";
import { fetcher, scoreAiAnswer, type StreamOutcome } from "./checks";
import { searchTimeoutS } from "./miners";
import type { SearchType } from "./protocol";
import type { StreamFields } from "./relay";

/** Query rows waiting to be written: written together every 250 ms (hot routes cost no write each). */
const pending = lazy(() => ({ rows: [] as Prisma.SearchQueryCreateManyInput[], timer: null as NodeJS.Timeout | null }));

/** Writes the recorded queries now (tests, shutdown). */
export async function flushQueries(): Promise<void> {
  const p = pending();
  if (p.timer) clearTimeout(p.timer);
  p.timer = null;
  const rows = p.rows.splice(0);
  if (!rows.length) return;
  try {
    await db().searchQuery.createMany({ data: rows });
  } catch (e) {
    log.warn({ err: (e as Error).message, rows: rows.length }, "search: could not record queries");
  }
}

/** Records one query (never fails the caller). */
export function recordQuery(q: {
  kind: "organic" | "synthetic";
  searchType: SearchType;
  route: string;
  prompt: string;
  tools?: string[];
  outcome: { hotkey: string | null; hedgedHotkey?: string | null; status: number; message: string } & Partial<
    Pick<StreamOutcome, "firstByteMs" | "latencyMs" | "items">
  >;
  score?: number | null;
  reason?: string;
}): void {
  const o = q.outcome;
  const outcome =
    o.status === 200
      ? "ok"
      : o.status === 499
        ? "cancelled"
        : o.status === 408
          ? "timeout"
          : o.hotkey === null
            ? "no_miner"
            : "error";
  const p = pending();
  p.rows.push({
    netuid: netuidOf("search"),
    at: new Date(),
    kind: q.kind,
    searchType: q.searchType,
    route: q.route,
    prompt: q.prompt.slice(0, 500),
    tools: JSON.stringify(q.tools ?? []),
    hotkey: o.hotkey,
    hedgedHotkey: o.hedgedHotkey ?? null,
    outcome,
    status: o.status,
    firstByteMs: o.firstByteMs ?? null,
    latencyMs: o.latencyMs ?? 0,
    items: o.items ?? 0,
    score: q.score ?? null,
    reason: (q.reason ?? (o.status === 200 ? "" : o.message)).slice(0, 500),
  });
  if (p.rows.length >= 500) void flushQueries();
  else p.timer ??= setTimeout(() => void flushQueries(), 250);
}

/**
 * Records an organic AI search. A completed answer is scored as upstream scores organic answers (the same
 * checks as synthetic ones, truthfulness included) before it is recorded; the epoch folds these scores into
 * the miner's window. A client that cancelled scores nothing; other failures score 0.
 */
export function recordOrganic(route: string, fields: StreamFields, o: StreamOutcome): void {
  const base = {
    kind: "organic" as const,
    searchType: "ai_search" as const,
    route,
    prompt: fields.prompt,
    tools: fields.tools,
    outcome: o,
  };
  if (o.status !== 200) return recordQuery({ ...base, score: o.status === 499 || o.hotkey === null ? null : 0 });
  const timeoutS = fields.max_execution_time ?? searchTimeoutS(fields.count ?? 10, fields.model);
  scoreAiAnswer(o, fields.prompt, timeoutS, fetcher()).then(
    (s) => recordQuery({ ...base, score: s.score, reason: s.reason }),
    () => recordQuery(base),
  );
}
