import type { KeyringPair } from "@polkadot/keyring/types";
import type { Role } from "../env";
import { db } from "../db";
import { log } from "../log";
import { chain } from "./index";
import type { WeightsResult } from "./types";

/** Weights as set_weights takes them: u16 per uid, scaled so the largest is 65535 (as bittensor does). */
export function toU16Weights(weights: Map<number, number>): { uids: number[]; weights: number[] } {
  const entries = [...weights.entries()].filter(([, w]) => w > 0).sort(([a], [b]) => a - b);
  const max = Math.max(0, ...entries.map(([, w]) => w));
  if (max <= 0) return { uids: [], weights: [] };
  return { uids: entries.map(([u]) => u), weights: entries.map(([, w]) => Math.max(1, Math.round((w / max) * 65535))) };
}

/** One weights cycle as pages show it: computed -> set, or committed (round R) -> revealed at block B; or why not. */
export interface WeightsCycle {
  id: number;
  role: string;
  netuid: number;
  at: string;
  block: number | null;
  status: "skipped" | "failed" | "set" | "committed" | "revealed" | "not_revealed";
  reason: string | null;
  uids: number[];
  weights: number[];
  versionKey: string | null;
  txHash: string | null;
  inBlock: number | null;
  revealRound: number | null;
  revealBlock: number | null;
  revealedAt: number | null;
}

type Row = NonNullable<Awaited<ReturnType<ReturnType<typeof db>["weightsSubmission"]["findFirst"]>>>;

function view(r: Row): WeightsCycle {
  const { createdAt, updatedAt: _u, uids, weights, status, ...rest } = r;
  return {
    ...rest,
    status: status as WeightsCycle["status"],
    at: createdAt.toISOString(),
    uids: JSON.parse(uids) as number[],
    weights: JSON.parse(weights) as number[],
  };
}

/**
 * One weights cycle of a role: settles its earlier commits (revealed or not), then puts the new weights
 * on chain and records what happened. `emptyReason` says why there is nothing to set when no uid scores.
 */
export async function submitWeights(
  role: Role,
  netuid: number,
  signer: KeyringPair,
  scores: Map<number, number>,
  emptyReason: string,
): Promise<WeightsCycle> {
  const c = chain();
  await settleCommits(role, signer.address).catch((e: Error) =>
    log.warn({ role, err: e.message }, "weights: could not read the outcome of earlier commits"),
  );
  const head = c.head();
  const { uids, weights } = toU16Weights(scores);
  let result: WeightsResult;
  if (!c.setWeights) result = { status: "skipped", reason: "this chain takes no weights" };
  else if (uids.length === 0) result = { status: "skipped", reason: emptyReason };
  else {
    try {
      result = await c.setWeights(signer, netuid, uids, weights);
    } catch (e) {
      result = { status: "failed", reason: (e as Error).message };
    }
  }
  const row = await db().weightsSubmission.create({
    data: {
      role,
      netuid,
      block: head,
      uids: JSON.stringify(uids),
      weights: JSON.stringify(weights),
      status: result.status,
      reason: "reason" in result ? result.reason : null,
      versionKey: "versionKey" in result ? (result.versionKey ?? null) : null,
      txHash: "txHash" in result ? (result.txHash ?? null) : null,
      inBlock: "inBlock" in result ? (result.inBlock ?? null) : null,
      revealRound: result.status === "committed" ? result.revealRound : null,
      revealBlock: result.status === "committed" ? result.revealBlock : null,
    },
  });
  log[result.status === "failed" ? "warn" : "info"]({ role, netuid, ...result, uids: uids.length }, "weights");
  return view(row);
}

/** Asks the chain what became of this role's open commits and records it. */
export async function settleCommits(role: Role, hotkey: string): Promise<void> {
  const c = chain();
  if (!c.revealOutcome) return;
  const open = await db().weightsSubmission.findMany({
    where: { role, status: "committed" },
    orderBy: { id: "asc" },
    take: 20,
  });
  for (const r of open) {
    const outcome = await c.revealOutcome(r.netuid, hotkey, {
      inBlock: r.inBlock ?? 0,
      revealBlock: r.revealBlock ?? 0,
    });
    if (outcome.state === "pending") continue;
    await db().weightsSubmission.update({
      where: { id: r.id },
      data:
        outcome.state === "revealed"
          ? { status: "revealed", revealedAt: outcome.block }
          : { status: "not_revealed", reason: outcome.reason },
    });
  }
}

/** The newest cycles of a role, newest first. */
export async function weightsHistory(role: Role, take = 10): Promise<WeightsCycle[]> {
  const rows = await db().weightsSubmission.findMany({ where: { role }, orderBy: { id: "desc" }, take });
  return rows.map(view);
}
