/**
 * The relay of one AI search: one miner per query (weighted choice), its answer relayed object by object as it
 * comes, bounded in objects and items. A hedged request (SEARCH_HEDGE_MS) asks a second miner when the first has
 * sent nothing by then, streams whichever answers first and cancels the other.
 */
import { JsonObjectScanner, pyJsonDumps, type CallResult, type RequestOf } from "../bittensor";
import { config } from "../env";
import { UnavailableError } from "../errors";
import { chooseMiner, requireSearchDendrite, searchTimeoutS, type Candidate } from "./miners";
import { ScraperStreamingSynapse, TOOLS } from "./protocol";
import { dateRange, type SearchRequest } from "./forms";
import type { StreamOutcome } from "./checks";
import { searchConfig } from "./config";

export type StreamFields = RequestOf<typeof ScraperStreamingSynapse>;

/** The synapse an AI search sends: upstream's fields; legacy tools fall back to Web Search, as upstream. */
export function streamFields(r: Partial<SearchRequest> & { prompt: string; tools: string[] }): StreamFields {
  const tools = [...new Set(r.tools.map((t) => (t in TOOLS ? t : "Web Search")))];
  const range = dateRange({ start_date: r.start_date, end_date: r.end_date, date_filter: r.date_filter });
  const count = r.count ?? 10;
  return ScraperStreamingSynapse.request.parse({
    prompt: r.prompt,
    tools,
    count,
    model: r.model ?? "NOVA",
    include_domains: r.include_domains ?? [],
    exclude_domains: r.exclude_domains ?? [],
    start_date: range.since ? new Date(range.since).toISOString() : null,
    end_date: range.until ? new Date(range.until).toISOString() : null,
    date_filter_type: r.start_date || r.end_date ? null : (r.date_filter ?? null),
    system_message: r.system_message ?? "",
    scoring_system_message: r.scoring_system_message ?? "",
    result_type: r.result_type ?? "LINKS_WITH_FINAL_SUMMARY",
    chat_history: r.chat_history ?? [],
    max_execution_time: searchTimeoutS(count, r.model),
  });
}

/** What the validator relays of a miner's stream object (upstream's process_streaming_response), or null. */
export function relayed(o: unknown): Record<string, unknown> | null {
  if (!o || typeof o !== "object" || Array.isArray(o)) return null;
  const m = o as Record<string, unknown>;
  const type = typeof m.type === "string" ? m.type : "";
  if (type === "text") return { type, role: m.role ?? null, content: m.content ?? "" };
  if (type === "completion") return { type, content: m.content ?? "" };
  if (type === "tweets") return { type, content: Array.isArray(m.content) ? m.content : [] };
  if (type === "search" || type.endsWith("_search")) return { type, content: m.content ?? {} };
  if (type === "miner_link_scores" || type === "flow") return { type, content: m.content ?? {} };
  return null;
}

/**
 * What one AI search answer may hold: objects of the stream (a summary streamed token by token is one object
 * per token) and result items (tweets, pages). Beyond either the answer is refused (422) and the call cut:
 * a miner cannot make the console relay, keep and score an unbounded answer.
 */
export const MAX_STREAM_OBJECTS = 20_000;
export const MAX_STREAM_ITEMS = 5_000;

interface Attempt {
  miner: Candidate;
  abort: AbortController;
  iter: AsyncIterator<Buffer>;
  result: Promise<CallResult<typeof ScraperStreamingSynapse>>;
  first: Promise<IteratorResult<Buffer>>;
}

function start(miner: Candidate, fields: StreamFields, timeoutS: number): Attempt {
  const abort = new AbortController();
  const call = requireSearchDendrite().callStream(miner.axon, ScraperStreamingSynapse, fields, {
    timeout: timeoutS,
    signal: abort.signal,
  });
  const iter = call[Symbol.asyncIterator]();
  return { miner, abort, iter, result: call.result, first: iter.next() };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((r) => {
    const stop = () => (clearTimeout(t), r());
    const t = setTimeout(() => (signal.removeEventListener("abort", stop), r()), ms);
    signal.addEventListener("abort", stop, { once: true });
  });

/** The attempt that sends a chunk first (waits for the other when one ends without sending any). */
async function firstToSend(a: Attempt, b: Attempt): Promise<Attempt> {
  const sent = (x: Attempt) => x.first.then((r) => (r.done ? null : x));
  const winner = await Promise.race([sent(a), sent(b)]);
  if (winner) return winner;
  const [ra, rb] = await Promise.all([sent(a), sent(b)]);
  return ra ?? rb ?? a;
}

/**
 * Runs an AI search on one miner (and a hedge), yielding the relayed objects as they arrive: those of one chunk of
 * the miner's stream together (a relay writes them at once). `onEnd` gets the outcome (also when the caller stops
 * early: the miner call is cancelled and the outcome says so).
 */
export async function* searchObjects(
  fields: StreamFields,
  signal: AbortSignal,
  onEnd: (o: StreamOutcome) => void,
  miner?: Candidate | null,
): AsyncGenerator<Record<string, unknown>[]> {
  const started = performance.now();
  const outcome: StreamOutcome = {
    hotkey: null,
    hedgedHotkey: null,
    status: 503,
    message: "No search miner is available",
    firstByteMs: null,
    latencyMs: 0,
    items: 0,
    objects: [],
  };
  const first = miner ?? (await chooseMiner("ai_search"));
  if (!first) {
    outcome.latencyMs = performance.now() - started;
    onEnd(outcome);
    throw new NoMinerError();
  }
  const timeoutS = fields.max_execution_time ?? searchTimeoutS(fields.count ?? 10, fields.model);
  let winner = start(first, fields, timeoutS);
  let loser: Attempt | null = null;
  const stopAll = () => {
    winner.abort.abort();
    loser?.abort.abort();
  };
  signal.addEventListener("abort", stopAll, { once: true });
  try {
    const hedgeMs = searchConfig().SEARCH_HEDGE_MS;
    if (hedgeMs && !miner) {
      const quiet = await Promise.race([winner.first.then(() => false), sleep(hedgeMs, signal).then(() => true)]);
      const second = quiet && !signal.aborted ? await chooseMiner("ai_search", [first.axon.hotkey]) : null;
      if (second) {
        const hedge = start(second, fields, timeoutS);
        outcome.hedgedHotkey = second.axon.hotkey;
        const a = winner;
        winner = await firstToSend(a, hedge);
        loser = winner === a ? hedge : a;
        loser.abort.abort();
      }
    }
    outcome.hotkey = winner.miner.axon.hotkey;
    const scanner = new JsonObjectScanner();
    let received = 0;
    let next = await winner.first;
    while (!next.done) {
      outcome.firstByteMs ??= performance.now() - started;
      let objects: unknown[];
      try {
        objects = scanner.push(next.value);
      } catch (e) {
        outcome.status = 422;
        outcome.message = `The miner's stream is not JSON objects: ${(e as Error).message}`;
        winner.abort.abort();
        break;
      }
      received += objects.length;
      const batch: Record<string, unknown>[] = [];
      for (const o of objects) {
        const r = relayed(o);
        if (!r) continue;
        batch.push(r);
        if (r.type === "tweets" || r.type === "search")
          outcome.items += Array.isArray(r.content) ? r.content.length : 0;
      }
      if (received > MAX_STREAM_OBJECTS || outcome.items > MAX_STREAM_ITEMS) {
        outcome.status = 422;
        outcome.message =
          received > MAX_STREAM_OBJECTS
            ? `The miner's stream has more than ${MAX_STREAM_OBJECTS} objects`
            : `The miner's answer has more than ${MAX_STREAM_ITEMS} results`;
        winner.abort.abort();
        break;
      }
      if (batch.length) {
        outcome.objects.push(...batch);
        yield batch;
      }
      next = await winner.iter.next();
    }
    if (outcome.status !== 422) {
      const result = await winner.result;
      outcome.status = signal.aborted ? 499 : result.status;
      outcome.message = signal.aborted ? "Cancelled by the client" : result.message;
      if (outcome.status === 200 && !scanner.complete) {
        outcome.status = 422;
        outcome.message = "The miner's stream ended inside a JSON object";
      }
    }
  } finally {
    signal.removeEventListener("abort", stopAll);
    if (!signal.aborted && outcome.status === 503 && outcome.hotkey === null) outcome.message = "No answer";
    stopAll();
    // A call left mid-stream (refused, or the caller stopped) is closed: its socket and lane are let go.
    void winner.iter.return?.(undefined);
    void loser?.iter.return?.(undefined);
    outcome.latencyMs = performance.now() - started;
    onEnd(outcome);
  }
}

/** No miner can take the query: 503, as the API documents (upstream answers 500). */
export class NoMinerError extends UnavailableError {
  constructor() {
    super("No search miner is available");
  }
}
