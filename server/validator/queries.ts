import { lastPings } from "../network";
import { chain, listNeurons, type NeuronRecord } from "../chain";
import { netuidOf } from "../env";
import { phaseAt, schedule } from "../phases";
import { db } from "../db";
import { currentVersion } from "../models";
import { expertOf } from "../models/safetensors";
import { listActivity, REFUSED_WINDOW_MS, refusalsByHotkey } from "./activity";
import { WEIGHT_WINDOW, weightsFrom } from "./scoring";

/** The round (cycle index) at the chain head; 0 before a head is known. */
export function currentRound(): number {
  const head = chain().head();
  return head === null ? 0 : phaseAt(head, schedule()).cycle_index;
}

export const SUBMISSION_STATES = ["queued", "fetching", "validating", "evaluating", "scored", "rejected"] as const;

/** The columns of a submission in lists (without its URL, signature and steps). */
export const SUBMISSION_ROW = {
  id: true,
  round: true,
  expertGroup: true,
  state: true,
  loss: true,
  baselineLoss: true,
  score: true,
  points: true,
  reason: true,
  createdAt: true,
} as const;

export async function listSubmissions(filter: { state?: string; hotkey?: string; round?: number; limit?: number }) {
  const rows = await db().submission.findMany({
    where: { state: filter.state, hotkey: filter.hotkey, round: filter.round },
    orderBy: { createdAt: "desc" },
    take: filter.limit ?? 100,
    select: { ...SUBMISSION_ROW, hotkey: true, uid: true, blockNumber: true },
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
  const netuid = netuidOf("validator");
  const neurons = await listNeurons(netuid);
  const subs = await db().submission.findMany({
    where: { round: { gt: currentRound - rounds } },
    select: { hotkey: true, uid: true, round: true, score: true, points: true, state: true, expertGroup: true },
    orderBy: { round: "asc" },
  });
  const weights = await currentWeights(currentRound);
  const refusals = refusalsByHotkey(await listActivity({ refusedSince: new Date(Date.now() - REFUSED_WINDOW_MS) }));
  const pings = await lastPings(netuid);
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
        refused: refusals.get(n.hotkey) ?? null,
        axon: n.axonIp && n.axonPort ? `${n.axonIp}:${n.axonPort}` : null,
        ping: pingOf(pings.get(n.hotkey)),
        onChain: chainFigures(n),
      };
    });
}

/** What the chain itself says of a neuron (null where a neuron was written by hand): shares, and alpha amounts in alpha-rao. */
export function chainFigures(n: NeuronRecord) {
  if (n.incentive === null || n.incentive === undefined) return null;
  return {
    incentive: n.incentive,
    consensus: n.consensus ?? 0,
    trust: n.trust ?? 0,
    validatorTrust: n.validatorTrust ?? 0,
    dividends: n.dividends ?? 0,
    emissionAlphaRao: n.emission ?? "0",
    stakeAlphaRao: n.stake,
    lastUpdate: n.lastUpdate ?? null,
  };
}

/** Model progress: versions with their baseline loss and lineage, and the loss of each round. */
export async function modelProgress() {
  const [versions, perVersion, perRound] = await Promise.all([
    db().modelVersion.findMany({ orderBy: { id: "desc" }, take: 50, select: { id: true, lineage: true } }),
    db().submission.groupBy({
      by: ["versionId"],
      _min: { baselineLoss: true },
      _count: { _all: true },
    }),
    db().submission.groupBy({
      by: ["round"],
      where: { state: "scored" },
      _min: { loss: true, baselineLoss: true },
      _count: { _all: true },
      orderBy: { round: "desc" },
      take: 50,
    }),
  ]);
  const stats = new Map(perVersion.map((v) => [v.versionId, v]));
  return {
    versions: versions.map((v) => ({
      id: v.id,
      baselineLoss: stats.get(v.id)?._min.baselineLoss ?? null,
      submissions: stats.get(v.id)?._count._all ?? 0,
      lineage: v.lineage ? (JSON.parse(v.lineage) as Lineage) : null,
    })),
    rounds: perRound
      .map((r) => ({
        round: r.round,
        bestLoss: r._min.loss,
        baselineLoss: r._min.baselineLoss,
        scored: r._count._all,
      }))
      .reverse(),
  };
}

export interface Lineage {
  from: string;
  round: number;
  groups: Array<{ group: number; submissionId: string; hotkey: string; score: number | null; loss: number | null }>;
}

function pingOf(p: Awaited<ReturnType<typeof lastPings>> extends Map<string, infer R> ? R | undefined : never) {
  if (!p) return null;
  return {
    status: p.status,
    message: p.message,
    rttMs: p.rttMs,
    at: p.at,
    lastOkAt: p.lastOkAt,
    signatureValid: p.signatureValid,
  };
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
