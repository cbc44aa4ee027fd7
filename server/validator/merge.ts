import fs from "node:fs/promises";
import path from "node:path";
import { chain } from "../chain";
import { db } from "../db";
import { config } from "../env";
import { log } from "../log";
import { currentVersion, publishVersion } from "../models";
import { readShardHeader } from "../models/catalog";
import { readF32Tensors, writeSafetensors } from "../models/files";
import { checkpointPath } from "./pipeline";

export const MERGE_JOB = "model.merge";
const LAST_MERGE_KEY = "merge.last";

/** What the newest round's merge did: published a version, or why it published none. */
export type MergeOutcome = { round: number; at: string } & ({ version: string } | { skipped: string });

async function recordMerge(outcome: MergeOutcome): Promise<void> {
  const value = JSON.stringify(outcome);
  await db().setting.upsert({
    where: { key: LAST_MERGE_KEY },
    create: { key: LAST_MERGE_KEY, value },
    update: { value },
  });
}

export async function lastMerge(): Promise<MergeOutcome | null> {
  const row = await db().setting.findUnique({ where: { key: LAST_MERGE_KEY } });
  return row ? (JSON.parse(row.value) as MergeOutcome) : null;
}

/**
 * The name of a round's merged version: step_<round>, or step_<round>-merge-<k> when another version already
 * has that name (the devnet's generated step_0, a model an admin published); null when this round's merge is
 * already published (the job ran again).
 */
export async function mergedVersionName(round: number): Promise<string | null> {
  for (let k = 0; ; k++) {
    const name = k === 0 ? `step_${round}` : `step_${round}-merge-${k}`;
    const v = await db().modelVersion.findUnique({ where: { name }, select: { publishedBy: true, lineage: true } });
    if (!v) return name;
    if (v.publishedBy === "merge" && (JSON.parse(v.lineage ?? "{}") as { round?: number }).round === round) return null;
  }
}

/**
 * The Merge phase: a new version made of the current one with, for each group, the experts of the
 * round's best positive-scoring checkpoint. Nothing to merge, nothing published. Runs for models the
 * validator can read (F32 tensors, as the builtin evaluator's).
 */
export async function mergeRound(round: number): Promise<string | null> {
  const base = currentVersion();
  const at = new Date().toISOString();
  if (!base) {
    await recordMerge({ round, at, skipped: "no model is served" });
    return null;
  }
  const name = await mergedVersionName(round);
  if (!name) {
    log.info({ round }, "merge: this round's merged version is already published");
    return null;
  }
  const subs = await db().submission.findMany({
    where: { round, versionId: base.id, state: "scored", score: { gt: 0 } },
    orderBy: [{ score: "desc" }, { createdAt: "asc" }],
  });
  const best = new Map<number, (typeof subs)[number]>();
  for (const s of subs) if (!best.has(s.expertGroup)) best.set(s.expertGroup, s);
  if (best.size === 0) {
    log.info({ round }, "merge: no positive scores, the model stays");
    await recordMerge({ round, at, skipped: `no submission of round ${round} scored above 0 on ${base.name}` });
    return null;
  }
  const weights = await readF32Tensors(base.catalog.tensors);
  for (const s of best.values()) {
    const file = checkpointPath(s.id);
    const { header } = await readShardHeader(file);
    const tensors = await readF32Tensors(
      header.tensors.map((t) => ({ ...t, file, fileStart: header.dataStart + t.begin })),
    );
    for (const [n, t] of tensors) weights.set(n, t);
  }
  const dir = path.resolve(config().MODELS_DIR, name);
  await fs.mkdir(dir, { recursive: true });
  for (const extra of ["config.json", "eval_batch.json", "expert_groups.json"]) {
    await fs
      .copyFile(path.join(/*turbopackIgnore: true*/ base.dir, extra), path.join(/*turbopackIgnore: true*/ dir, extra))
      .catch(() => undefined);
  }
  await writeSafetensors(
    path.join(dir, "model.safetensors"),
    base.catalog.tensors.map((t) => ({ name: t.name, shape: t.shape, data: weights.get(t.name)! })),
    { merged_from: base.name, round: String(round) },
  );
  const lineage = {
    from: base.name,
    round,
    groups: [...best.values()]
      .sort((a, b) => a.expertGroup - b.expertGroup)
      .map((s) => ({ group: s.expertGroup, submissionId: s.id, hotkey: s.hotkey, score: s.score, loss: s.loss })),
  };
  await publishVersion({ dir, name, blockNumber: chain().head() ?? 0, by: "merge", lineage });
  log.info({ round, version: name, groups: [...best.keys()] }, "merged the round's best experts");
  await recordMerge({ round, at, version: name });
  return name;
}
