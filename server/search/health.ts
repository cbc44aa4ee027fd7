import { db } from "../db";
import { netuidOf } from "../env";
import { QUALITY_THRESHOLDS } from "./checks";
import type { SearchType } from "./protocol";

/** Overview's "is my search API serving?": miners passing their gates, queries and errors in the last hour. */
export async function searchHealth() {
  const netuid = netuidOf("search");
  const hourAgo = new Date(Date.now() - 3_600_000);
  const [states, byOutcome] = await Promise.all([
    db().searchMinerState.findMany({
      where: { netuid },
      select: { hotkey: true, searchType: true, qualityAvg: true, declared: true, unreachableSince: true },
    }),
    db().searchQuery.groupBy({
      by: ["kind", "outcome"],
      where: { netuid, at: { gte: hourAgo } },
      _count: { _all: true },
    }),
  ]);
  const passing = new Set(
    states
      .filter((s) => s.declared > 0 && s.qualityAvg >= QUALITY_THRESHOLDS[s.searchType as SearchType])
      .map((s) => s.hotkey),
  );
  const miners = new Set(states.map((s) => s.hotkey));
  const count = (f: (g: (typeof byOutcome)[number]) => boolean) =>
    byOutcome.filter(f).reduce((n, g) => n + g._count._all, 0);
  const organic = count((g) => g.kind === "organic");
  return {
    miners: miners.size,
    passing: passing.size,
    failing: miners.size - passing.size,
    unreachable: new Set(states.filter((s) => s.unreachableSince).map((s) => s.hotkey)).size,
    organicLastHour: organic,
    organicPerMinute: organic / 60,
    organicErrors: count((g) => g.kind === "organic" && g.outcome !== "ok"),
    syntheticLastHour: count((g) => g.kind === "synthetic"),
  };
}
