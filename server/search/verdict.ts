/**
 * What a recorded query's Outcome column says: the transport's outcome, or what scoring found when the stream
 * itself went through (a stream that "succeeded" can still be incomplete, invented or too slow).
 */
export type QueryVerdict = "ok" | "incomplete" | "invented" | "timeout" | "failed" | "error" | "cancelled" | "no_miner";

/** Checks whose failure means the answer does not match its source (tweets and links, checks.ts). */
const INVENTED = /does not exist at its source|cannot be fetched|\b(id|url|created_at|flags|text|host|title|snippet)\b/;

export function queryVerdict(q: {
  outcome: string;
  status: number;
  score: number | null;
  reason: string;
}): QueryVerdict {
  if (/ended (without its completion|inside a JSON object)/.test(q.reason)) return "incomplete";
  if (q.outcome === "timeout" || /implausibly fast or too slow/.test(q.reason)) return "timeout";
  if (q.outcome !== "ok") return q.outcome as QueryVerdict;
  if (q.score === null) return "ok";
  if (INVENTED.test(q.reason)) return "invented";
  return q.score === 0 ? "failed" : "ok";
}
