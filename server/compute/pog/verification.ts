/** What Proof of GPU's stored runs say about each machine: verified or not, the GPU it measures as, its score. */
import { db } from "../../db";
import { netuidOf } from "../../env";

export interface Verification {
  verified: boolean;
  /** failed runs since the last that passed */
  failures: number;
  identified: string | null;
  score: number;
  reason: string;
  at: Date;
}

/**
 * Per miner: verified while its last run passed, or while fewer than 3 runs in a row failed since one that
 * passed (upstream tolerates three); its score is the last passing run's.
 */
export async function verification(netuid = netuidOf("compute")): Promise<Map<string, Verification>> {
  const runs = await db().pogRun.findMany({
    where: { netuid, finishedAt: { not: null } },
    orderBy: { id: "desc" },
    take: 5000,
  });
  const byMiner = new Map<string, typeof runs>();
  for (const r of runs) byMiner.set(r.hotkey, [...(byMiner.get(r.hotkey) ?? []), r]);
  const out = new Map<string, Verification>();
  for (const [hotkey, list] of byMiner) {
    const failures = list.findIndex((r) => r.passed);
    const lastPass = failures === -1 ? null : list[failures];
    const inRow = failures === -1 ? list.length : failures;
    const verified = lastPass !== null && inRow < 3;
    out.set(hotkey, {
      verified,
      failures: inRow,
      identified: (lastPass ?? list[0]).identifiedGpu,
      score: verified ? lastPass!.score : 0,
      reason: list[0].reason,
      at: list[0].finishedAt!,
    });
  }
  return out;
}
