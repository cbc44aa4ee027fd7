/**
 * Organic queries: /search streamed through as SSE with upstream's framing, the other routes collected and
 * aggregated; the relay (relay.ts) picks and hedges miners, and every query goes to the query log (query-log.ts).
 */
import { pyJsonDumps } from "../bittensor";
import type { StreamOutcome } from "./checks";
import type { SearchRequest } from "./forms";
import { TOOLS } from "./protocol";
import { recordOrganic } from "./query-log";
import { searchObjects, streamFields } from "./relay";

/** The SSE frame of one line, as upstream frames it. */
export const sseFrame = (line: string) => `data: ${line}\n\n`;

/**
 * /search as SSE: every relayed object on its own `data:` line as it arrives; a failure (no miner, a broken or
 * timed-out stream) ends it with data: {"error": ...}.
 */
export async function* sseSearch(body: SearchRequest, signal: AbortSignal): AsyncGenerator<string> {
  const fields = streamFields(body);
  const ended: { outcome: StreamOutcome | null } = { outcome: null };
  const onEnd = (o: StreamOutcome) => {
    ended.outcome = o;
    recordOrganic("/search", fields, o);
  };
  try {
    for await (const batch of searchObjects(fields, signal, onEnd))
      yield batch.map((o) => sseFrame(pyJsonDumps(o))).join("");
  } catch (e) {
    yield sseFrame(pyJsonDumps({ error: (e as Error).message }));
    return;
  }
  const o = ended.outcome;
  if (o && o.status !== 200 && o.status !== 499) yield sseFrame(pyJsonDumps({ error: o.message }));
}

/** The link routes and /search without streaming: every object collected, aggregated by tool as upstream. */
export async function collectSearch(
  r: { prompt: string; tools: string[] } & Partial<SearchRequest>,
  route: string,
  signal: AbortSignal,
): Promise<{ objects: Record<string, unknown>[]; outcome: StreamOutcome }> {
  const fields = streamFields(r);
  let outcome!: StreamOutcome;
  const objects: Record<string, unknown>[] = [];
  try {
    for await (const batch of searchObjects(fields, signal, (out) => (outcome = out))) objects.push(...batch);
  } finally {
    if (outcome) recordOrganic(route, fields, outcome);
  }
  return { objects, outcome };
}

/** Upstream's aggregate_search_results: {miner_tweets, search_results}, [] for a requested tool with none. */
export function aggregate(objects: Record<string, unknown>[], tools: string[]): Record<string, unknown> {
  const out: Record<string, unknown[]> = {};
  for (const o of objects) {
    const field = o.type === "tweets" ? "miner_tweets" : o.type === "search" ? "search_results" : null;
    if (field && Array.isArray(o.content)) (out[field] ??= []).push(...(o.content as unknown[]));
  }
  for (const t of tools) {
    const field = TOOLS[t as keyof typeof TOOLS];
    if (field) out[field] ??= [];
  }
  return out;
}

export function summaryOf(objects: Record<string, unknown>[]): string {
  return objects
    .filter((o) => o.type === "text" && o.role === "summary")
    .map((o) => String(o.content ?? ""))
    .join("");
}
