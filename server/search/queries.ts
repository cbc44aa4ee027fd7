/** What the search miners page reads: miners' states and windows, the query log (paged), weights cycles. */
import { z } from "zod";
import { db } from "../db";
import { config, netuidOf } from "../env";
import { weightsHistory } from "../chain/weights";
import { QUALITY_THRESHOLDS } from "./checks";
import { SEARCH_TYPES } from "./protocol";
import { queryVerdict } from "./verdict";

/** Rows per page of the query log. */
const QUERY_PAGE = 25;

export const searchMinersInput = z.object({
  kind: z.enum(["organic", "synthetic"]).optional(),
  outcome: z.enum(["ok", "error", "timeout", "cancelled", "no_miner"]).optional(),
  hotkey: z.string().max(64).optional(),
  /** The query log's page (1-based), 25 rows each, newest first. */
  page: z.number().int().min(1).max(10_000).default(1),
});

export async function searchMinersView(input: z.output<typeof searchMinersInput>) {
  const netuid = netuidOf("search");
  const where = {
    netuid,
    ...(input.kind ? { kind: input.kind } : {}),
    ...(input.outcome ? { outcome: input.outcome } : {}),
    ...(input.hotkey ? { hotkey: { contains: input.hotkey } } : {}),
  };
  const [states, windows, queries, total, neurons] = await Promise.all([
    db().searchMinerState.findMany({ where: { netuid }, orderBy: [{ uid: "asc" }] }),
    db().searchWindow.findMany({
      where: { netuid, windowStart: { gte: new Date(Date.now() - 72 * 3_600_000) } },
      orderBy: { windowStart: "asc" },
    }),
    db().searchQuery.findMany({
      where,
      orderBy: { id: "desc" },
      skip: (input.page - 1) * QUERY_PAGE,
      take: QUERY_PAGE,
    }),
    db().searchQuery.count({ where }),
    db().searchMinerState.groupBy({ by: ["hotkey"], where: { netuid }, _max: { updatedAt: true } }),
  ]);
  const weights = await weightsHistory("search", 8);
  const miners = neurons.map((n) => {
    const rows = states.filter((s) => s.hotkey === n.hotkey);
    return {
      hotkey: n.hotkey,
      uid: rows[0]?.uid ?? 0,
      updatedAt: n._max.updatedAt,
      types: SEARCH_TYPES.map((t) => {
        const s = rows.find((r) => r.searchType === t);
        const w = windows.filter((x) => x.hotkey === n.hotkey && x.searchType === t);
        return {
          type: t,
          verified: s?.verified ?? 1,
          declared: s?.declared ?? 0,
          qualityAvg: s?.qualityAvg ?? 0,
          passed: (s?.qualityAvg ?? 0) >= QUALITY_THRESHOLDS[t] && (s?.declared ?? 0) > 0,
          failures: s?.failures ?? 0,
          unreachableSince: s?.unreachableSince ?? null,
          windows: w.map((x) => ({ at: x.windowStart, quality: x.qualityScore, passed: x.passed })),
        };
      }),
    };
  });
  return {
    netuid,
    thresholds: QUALITY_THRESHOLDS,
    miners: miners.sort((a, b) => a.uid - b.uid),
    queries: queries.map((q) => ({ ...q, tools: JSON.parse(q.tools) as string[], verdict: queryVerdict(q) })),
    queryPage: { page: input.page, pageSize: QUERY_PAGE, total },
    weights,
    setWeights: config().SET_WEIGHTS,
  };
}
