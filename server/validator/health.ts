import { lastPings } from "../network";
import { chain, findNeuron } from "../chain";
import { db } from "../db";
import { config, netuidOf } from "../env";
import { currentVersion } from "../models";
import { listActivity, REFUSED_WINDOW_MS, refusalsByHotkey } from "./activity";
import { assignedGroup } from "./assignments";
import { chainFigures, currentRound, SUBMISSION_ROW } from "./queries";
import { weightsHistory } from "../chain/weights";

/** Overview's "is my subnet healthy this round?": the validator's part. */
export async function roundHealth() {
  const round = currentRound();
  const head = chain().head();
  const version = currentVersion();
  const [byState, best, cycles, refused, newest] = await Promise.all([
    db().submission.groupBy({ by: ["state"], where: { round }, _count: { _all: true } }),
    db().submission.findFirst({
      where: { round: { lte: round }, state: "scored", loss: { not: null } },
      orderBy: [{ round: "desc" }, { loss: "asc" }],
      select: { id: true, round: true, loss: true, baselineLoss: true, hotkey: true, expertGroup: true },
    }),
    weightsHistory("validator", 10),
    listActivity({ refusedSince: new Date(Date.now() - REFUSED_WINDOW_MS) }),
    db().modelVersion.findFirst({ orderBy: { id: "desc" }, select: { id: true } }),
  ]);
  const count = (state: string) => byState.find((s) => s.state === state)?._count._all ?? 0;
  const total = byState.reduce((n, s) => n + s._count._all, 0);
  const c = config();
  const weights = cycles[0];
  // Weights count from the block they reached the chain (a commit counts: the chain reveals it by itself).
  const landed = cycles.find((w) => w.status === "set" || w.status === "committed" || w.status === "revealed");
  const weightsBlock = landed?.revealedAt ?? landed?.inBlock ?? null;
  return {
    round,
    version: version && { id: version.id, name: version.name, pinned: newest !== null && newest.id !== version.id },
    submissions: { total, accepted: total - count("rejected"), scored: count("scored"), rejected: count("rejected") },
    best: best && { ...best, thisRound: best.round === round },
    weights: {
      enabled: c.SET_WEIGHTS,
      lastStatus: weights?.status ?? null,
      lastReason: weights?.reason ?? null,
      blocksSince: weightsBlock !== null && head !== null ? head - weightsBlock : null,
      /** Past this many blocks without weights the figure turns red (twice the interval). */
      threshold: 2 * c.WEIGHTS_INTERVAL_BLOCKS,
    },
    refusedMiners: [...refusalsByHotkey(refused)].map(([hotkey, r]) => ({ hotkey, ...r })).slice(0, 10),
  };
}

/** One miner: who it is on the metagraph, its submissions, and what it did on the API. */
export async function minerDetail(hotkey: string) {
  const [neuron, submissions, activity, assigned] = await Promise.all([
    findNeuron(hotkey, netuidOf("validator")),
    db().submission.findMany({
      where: { hotkey },
      orderBy: { createdAt: "desc" },
      take: 100,
      select: SUBMISSION_ROW,
    }),
    listActivity({ hotkey }),
    assignedGroup(hotkey),
  ]);
  if (!neuron && submissions.length === 0 && activity.length === 0 && assigned === null) return null;
  const lastRejection = submissions.find((s) => s.state === "rejected") ?? null;
  const seen = [...activity.map((a) => a.lastAt), ...submissions.map((s) => s.createdAt)];
  return {
    hotkey,
    uid: neuron?.uid ?? null,
    registered: !!neuron,
    validatorPermit: neuron?.validatorPermit ?? false,
    axon: neuron?.axonIp && neuron.axonPort ? `${neuron.axonIp}:${neuron.axonPort}` : null,
    ping: (await lastPings(netuidOf("validator"))).get(hotkey) ?? null,
    assignedGroup: assigned,
    onChain: neuron ? chainFigures(neuron) : null,
    lastSeen: seen.length ? new Date(Math.max(...seen.map((d) => d.getTime()))) : null,
    lastRejection: lastRejection && { id: lastRejection.id, reason: lastRejection.reason, at: lastRejection.createdAt },
    submissions,
    activity,
  };
}
