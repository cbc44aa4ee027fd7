import { chain, listNeurons } from "../chain";
import { phaseAt, schedule } from "../phases";
import { db } from "../db";
import { currentVersion } from "../models";
import { expertOf } from "../models/safetensors";
import { WEIGHT_WINDOW, weightsFrom } from "./scoring";

/** The round (cycle index) at the chain head; 0 before a head is known. */
export function currentRound(): number {
  const head = chain().head();
  return head === null ? 0 : phaseAt(head, schedule()).cycle_index;
}

export const SUBMISSION_STATES = ["queued", "fetching", "validating", "evaluating", "scored", "rejected"] as const;

export async function listSubmissions(filter: { state?: string; hotkey?: string; round?: number; limit?: number }) {
  const rows = await db().submission.findMany({
    where: { state: filter.state, hotkey: filter.hotkey, round: filter.round },
    orderBy: { createdAt: "desc" },
    take: filter.limit ?? 100,
    select: {
      id: true,
      hotkey: true,
      uid: true,
      expertGroup: true,
      blockNumber: true,
      round: true,
      state: true,
      loss: true,
      baselineLoss: true,
      score: true,
      points: true,
      reason: true,
      createdAt: true,
    },
  });
  return rows;
}

export async function submissionDetail(id: string) {
  const row = await db().submission.findUnique({ where: { id }, include: { version: { select: { name: true } } } });
  if (!row) return null;
  const { signature: _s, bytes, steps, ...rest } = row;
  return {
    ...rest,
    bytes: bytes === null ? null : Number(bytes),
    version: row.version.name,
    steps: JSON.parse(steps) as Array<[string, string, string | null]>,
  };
}

/** The current weight vector over uids, from round points averaged over the last rounds. */
export async function currentWeights(currentRound: number) {
  const rows = await db().submission.findMany({
    where: { round: { gt: currentRound - WEIGHT_WINDOW }, points: { gt: 0 }, uid: { not: null } },
    select: { round: true, uid: true, points: true },
  });
  return weightsFrom(
    rows.map((r) => ({ round: r.round, uid: r.uid!, points: r.points! })),
    currentRound,
  );
}

/** Per miner: scores by round, moving average of round points, and weight. */
export async function minerScores(currentRound: number, rounds = 16) {
  const neurons = await listNeurons();
  const subs = await db().submission.findMany({
    where: { round: { gt: currentRound - rounds } },
    select: { hotkey: true, uid: true, round: true, score: true, points: true, state: true, expertGroup: true },
    orderBy: { round: "asc" },
  });
  const weights = await currentWeights(currentRound);
  const byHotkey = new Map<string, typeof subs>();
  for (const s of subs) byHotkey.set(s.hotkey, [...(byHotkey.get(s.hotkey) ?? []), s]);
  return neurons
    .filter((n) => !n.validatorPermit || byHotkey.has(n.hotkey))
    .map((n) => {
      const mine = byHotkey.get(n.hotkey) ?? [];
      const recent = mine.filter((s) => s.round > currentRound - WEIGHT_WINDOW);
      return {
        uid: n.uid,
        hotkey: n.hotkey,
        submissions: mine.length,
        lastGroup: mine.at(-1)?.expertGroup ?? null,
        history: mine.map((s) => ({ round: s.round, score: s.score ?? 0, points: s.points ?? 0, state: s.state })),
        movingAverage: recent.reduce((a, s) => a + (s.points ?? 0), 0) / WEIGHT_WINDOW,
        weight: weights.get(n.uid) ?? 0,
      };
    });
}

/** Expert groups of the served version with their tensor counts and sizes. */
export function currentGroups() {
  const v = currentVersion();
  if (!v) return [];
  return v.catalog.groups.map((g) => {
    const wanted = new Set(g.members.map((m) => `${m.layer}:${m.expert}`));
    const tensors = v.catalog.tensors.filter((t) => {
      const e = expertOf(t.name);
      return e && wanted.has(`${e.layer}:${e.expert}`);
    });
    const a = v.artifacts.get(`group:${g.id}`);
    return {
      id: g.id,
      experts: g.members.length,
      tensors: tensors.length,
      bytes: a?.composition.length ?? 0,
      sha256: a?.sha256 ?? "",
    };
  });
}
