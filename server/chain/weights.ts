/** Weights as set_weights takes them: u16 per uid, scaled so the largest is 65535 (as bittensor does). */
export function toU16Weights(weights: Map<number, number>): { uids: number[]; weights: number[] } {
  const entries = [...weights.entries()].filter(([, w]) => w > 0).sort(([a], [b]) => a - b);
  const max = Math.max(0, ...entries.map(([, w]) => w));
  if (max <= 0) return { uids: [], weights: [] };
  return { uids: entries.map(([u]) => u), weights: entries.map(([, w]) => Math.max(1, Math.round((w / max) * 65535))) };
}
