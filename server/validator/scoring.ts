/** Proof-of-Loss scoring, as upstream. Pure. */

export const ROUND_POINTS = [2.25, 1.5, 1.0] as const;
export const WEIGHT_WINDOW = 8;

/** score = max(0, baseline - loss) ^ 1.2; anything not finite scores 0. */
export function scoreOf(baselineLoss: number, loss: number): number {
  if (!Number.isFinite(baselineLoss) || !Number.isFinite(loss)) return 0;
  return Math.max(0, baselineLoss - loss) ** 1.2;
}

/**
 * Points of one round: the top three unique positive scores get 2.25, 1.5 and 1.0; a score shared by
 * several submissions goes to the earliest of them; everything else gets 0.
 */
export function roundPoints(subs: Array<{ id: string; score: number | null; createdAt: Date }>): Map<string, number> {
  const out = new Map(subs.map((s) => [s.id, 0]));
  const firstByScore = new Map<number, { id: string; createdAt: Date }>();
  for (const s of subs) {
    if (s.score === null || !(s.score > 0)) continue;
    const prev = firstByScore.get(s.score);
    if (!prev || s.createdAt < prev.createdAt || (s.createdAt.getTime() === prev.createdAt.getTime() && s.id < prev.id))
      firstByScore.set(s.score, s);
  }
  [...firstByScore.entries()]
    .sort(([a], [b]) => b - a)
    .slice(0, ROUND_POINTS.length)
    .forEach(([, s], i) => out.set(s.id, ROUND_POINTS[i]));
  return out;
}

/**
 * Weights per uid: each uid's points averaged over the last `window` rounds up to `currentRound` (a round
 * without points counts 0), normalised to sum to 1. Empty when nobody has points.
 */
export function weightsFrom(
  points: Array<{ round: number; uid: number; points: number }>,
  currentRound: number,
  window = WEIGHT_WINDOW,
): Map<number, number> {
  const first = currentRound - window + 1;
  const sums = new Map<number, number>();
  for (const p of points) {
    if (p.round < first || p.round > currentRound) continue;
    sums.set(p.uid, (sums.get(p.uid) ?? 0) + p.points / window);
  }
  const total = [...sums.values()].reduce((a, b) => a + b, 0);
  if (total <= 0) return new Map();
  return new Map(
    [...sums.entries()]
      .filter(([, v]) => v > 0)
      .sort(([a], [b]) => a - b)
      .map(([uid, v]) => [uid, v / total]),
  );
}
