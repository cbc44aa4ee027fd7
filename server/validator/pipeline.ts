import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { db } from "../db";
import { config } from "../env";
import { log } from "../log";
import { currentVersion } from "../models";
import { loadCatalog, readShardHeader, select, type CatalogTensor, type ModelCatalog } from "../models/catalog";
import { DTYPE_SIZES, SafetensorsError } from "../models/safetensors";
import { EvaluationFailed, evaluator } from "./evaluators";
import { FetchRefused, fetchCheckpoint, redactUrl } from "./fetch-checkpoint";
import { roundPoints, scoreOf } from "./scoring";
import { step } from "./submissions";
import { validatorConfig } from "./config";

type State = "fetching" | "validating" | "evaluating";

export function checkpointsDir(): string {
  return path.resolve(config().MODELS_DIR, "checkpoints");
}

export function checkpointPath(submissionId: string): string {
  return path.join(checkpointsDir(), `${submissionId}.safetensors`);
}

/** A reason to reject a checkpoint (as opposed to a fault of ours, which the job retries). */
class Rejection extends Error {}

/** The submission's step log with one more entry, as stored. */
function withStep(steps: string, state: string, detail?: string): string {
  return JSON.stringify([...(JSON.parse(steps) as unknown[]), step(state, detail)]);
}

async function setState(id: string, state: State, detail?: string, data: Record<string, unknown> = {}): Promise<void> {
  const row = await db().submission.findUniqueOrThrow({ where: { id }, select: { steps: true } });
  await db().submission.update({ where: { id }, data: { state, steps: withStep(row.steps, state, detail), ...data } });
  log.info({ submission: id, state, detail }, "submission");
}

/** The version a submission was made against (usually the one being served). */
async function versionOf(versionId: number): Promise<{ name: string; catalog: ModelCatalog }> {
  const current = currentVersion();
  if (current?.id === versionId) return current;
  const row = await db().modelVersion.findUniqueOrThrow({ where: { id: versionId } });
  return { name: row.name, catalog: await loadCatalog(row.dir, config().EXPERT_GROUPS) };
}

/** The checkpoint must hold exactly the group's tensors, with their dtypes and shapes, all finite. */
export async function validateCheckpoint(file: string, expected: CatalogTensor[]): Promise<CatalogTensor[]> {
  let header;
  try {
    header = (await readShardHeader(file)).header;
  } catch (e) {
    // The reason names the rule broken, never bytes of the file (the response of a URL a miner chose).
    throw new Rejection(
      `not a valid safetensors file: ${e instanceof SafetensorsError ? e.safeMessage : "unreadable"}`,
    );
  }
  const want = new Map(expected.map((t) => [t.name, t]));
  const got = new Map(header.tensors.map((t) => [t.name, t]));
  const missing = [...want.keys()].filter((n) => !got.has(n));
  const extra = [...got.keys()].filter((n) => !want.has(n));
  if (missing.length || extra.length) {
    throw new Rejection(
      `tensor names differ from the group's: ${missing.length} missing${missing.length ? ` (${missing[0]}…)` : ""}, ${extra.length} unexpected`,
    );
  }
  for (const [name, t] of got) {
    const w = want.get(name)!;
    if (t.dtype !== w.dtype || t.shape.join("x") !== w.shape.join("x"))
      throw new Rejection(`${name}: dtype or shape differs from the group's ${w.dtype}[${w.shape}]`);
  }
  const tensors = header.tensors.map((t) => ({ ...t, file, fileStart: header.dataStart + t.begin }));
  await assertFinite(file, tensors);
  return tensors;
}

/** Scans floating-point tensors for NaN and infinity, a megabyte at a time. */
async function assertFinite(file: string, tensors: CatalogTensor[]): Promise<void> {
  const h = await fs.open(file, "r");
  try {
    const buf = Buffer.alloc(1 << 20);
    for (const t of tensors) {
      const size = DTYPE_SIZES[t.dtype];
      if (!["F32", "F16", "BF16", "F64"].includes(t.dtype)) continue;
      for (let pos = t.fileStart; pos < t.fileStart + (t.end - t.begin);) {
        const n = Math.min(buf.length - (buf.length % size), t.fileStart + (t.end - t.begin) - pos);
        await h.read(buf, 0, n, pos);
        for (let i = 0; i < n; i += size) {
          let finite: boolean;
          if (t.dtype === "F32") finite = Number.isFinite(buf.readFloatLE(i));
          else if (t.dtype === "F64") finite = Number.isFinite(buf.readDoubleLE(i));
          else {
            // F16: exponent bits 0x7c00; BF16: 0x7f80 in the high half.
            const v = buf.readUInt16LE(i);
            finite = t.dtype === "F16" ? (v & 0x7c00) !== 0x7c00 : (v & 0x7f80) !== 0x7f80;
          }
          if (!finite) throw new Rejection(`${t.name} holds NaN or infinite values`);
        }
        pos += n;
      }
    }
  } finally {
    await h.close();
  }
}

/**
 * Writes a submission's final state together with its round's points (top three unique positive scores),
 * in one transaction: nobody sees a scored submission whose points are not yet given.
 */
async function finish(
  id: string,
  round: number,
  state: "scored" | "rejected",
  detail: string,
  data: { score: number } & Record<string, unknown>,
): Promise<void> {
  const row = await db().submission.findUniqueOrThrow({ where: { id }, select: { steps: true, createdAt: true } });
  const others = await db().submission.findMany({
    where: { round, state: { in: ["scored", "rejected"] }, id: { not: id } },
    select: { id: true, score: true, createdAt: true, points: true },
  });
  const points = roundPoints([...others, { id, score: data.score, createdAt: row.createdAt }]);
  await db().$transaction([
    db().submission.update({
      where: { id },
      data: { state, steps: withStep(row.steps, state, detail), ...data, points: points.get(id) ?? 0 },
    }),
    ...others
      .filter((o) => (points.get(o.id) ?? 0) !== o.points)
      .map((o) => db().submission.update({ where: { id: o.id }, data: { points: points.get(o.id) ?? 0 } })),
  ]);
  log.info({ submission: id, state, detail }, "submission");
}

/** The evaluation job: fetch, validate, evaluate, score. Finished submissions are never evaluated again. */
export async function evaluateSubmission(id: string): Promise<void> {
  const sub = await db().submission.findUnique({ where: { id } });
  if (!sub || sub.state === "scored" || sub.state === "rejected") return;
  const c = validatorConfig();
  const { name: versionName, catalog } = await versionOf(sub.versionId);
  const expected = select(catalog, { group: sub.expertGroup });
  const tmp = path.join(await fs.mkdtemp(path.join(os.tmpdir(), "checkpoint-")), "checkpoint.safetensors");
  try {
    if (!expected) throw new Rejection(`expert group ${sub.expertGroup} does not exist in the model`);
    const groupBytes = expected.reduce((n, t) => n + (t.end - t.begin), 0);
    // The group's tensor bytes plus room for a header naming them.
    const maxBytes = groupBytes + 64 * 1024 + expected.length * 512;
    await setState(id, "fetching", redactUrl(sub.checkpointUrl));
    let fetched;
    try {
      fetched = await fetchCheckpoint(sub.checkpointUrl, tmp, {
        maxBytes,
        connectTimeoutMs: c.CHECKPOINT_CONNECT_TIMEOUT_S * 1000,
        totalTimeoutMs: c.CHECKPOINT_TIMEOUT_S * 1000,
        allowPrivate: c.ALLOW_PRIVATE_CHECKPOINT_URLS || config().devnet,
      });
    } catch (e) {
      if (e instanceof FetchRefused) throw new Rejection(e.message);
      throw e;
    }
    await setState(id, "validating", `${fetched.bytes} bytes, sha256 ${fetched.sha256.slice(0, 16)}…`, {
      bytes: BigInt(fetched.bytes),
      sha256: fetched.sha256,
    });
    const tensors = await validateCheckpoint(tmp, expected);
    await setState(id, "evaluating");
    let result;
    try {
      result = await evaluator().evaluate({
        submissionId: id,
        modelVersion: versionName,
        catalog,
        expertGroup: sub.expertGroup,
        checkpointFile: tmp,
        checkpointTensors: tensors,
      });
    } catch (e) {
      if (e instanceof EvaluationFailed) throw new Rejection(`evaluation failed: ${e.message}`);
      throw e;
    }
    const score = scoreOf(result.baselineLoss, result.loss);
    if (score > 0) {
      // Kept for the Merge phase, which merges each group's best checkpoint of the round.
      await fs.mkdir(checkpointsDir(), { recursive: true });
      await fs.copyFile(tmp, checkpointPath(id));
    }
    await finish(
      id,
      sub.round,
      "scored",
      `loss ${result.loss.toFixed(5)} vs baseline ${result.baselineLoss.toFixed(5)}`,
      {
        loss: Number.isFinite(result.loss) ? result.loss : null,
        baselineLoss: result.baselineLoss,
        score,
      },
    );
  } catch (e) {
    if (!(e instanceof Rejection)) throw e; // ours: the job retries
    await finish(id, sub.round, "rejected", e.message, { reason: e.message, score: 0 });
  } finally {
    await fs.rm(path.dirname(tmp), { recursive: true, force: true });
  }
}
