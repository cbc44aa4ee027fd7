import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { config } from "../env";
import type { CatalogTensor, ModelCatalog } from "../models/catalog";
import { readF32Tensors } from "../models/files";
import { bigramCounts, crossEntropy, isTinyMoeConfig, type Weights } from "../models/tiny-moe";
import { validatorConfig } from "./config";

export interface EvaluationJob {
  submissionId: string;
  modelVersion: string;
  catalog: ModelCatalog;
  expertGroup: number;
  /** The validated checkpoint: a safetensors file with exactly the group's tensors. */
  checkpointFile: string;
  checkpointTensors: CatalogTensor[];
}

export interface Evaluation {
  loss: number;
  baselineLoss: number;
}

export class EvaluationFailed extends Error {}

export interface Evaluator {
  evaluate(job: EvaluationJob): Promise<Evaluation>;
}

const cache = new Map<string, { weights: Weights; counts: Float64Array[]; baseline: number }>();

/** The base model of a version, its held-out batch and baseline loss, loaded once per version. */
async function baseOf(catalog: ModelCatalog) {
  const hit = cache.get(catalog.dir);
  if (hit) return hit;
  if (!isTinyMoeConfig(catalog.config))
    throw new EvaluationFailed(
      "the builtin evaluator runs tiny_moe models only (config.json model_type); use EVALUATOR=command for others",
    );
  let sequences: number[][];
  try {
    sequences = (
      JSON.parse(await fs.readFile(path.join(catalog.dir, "eval_batch.json"), "utf8")) as { sequences: number[][] }
    ).sequences;
  } catch (e) {
    throw new EvaluationFailed(`no held-out batch: ${(e as Error).message}`);
  }
  const weights = await readF32Tensors(catalog.tensors);
  const counts = bigramCounts(catalog.config.vocab_size, sequences);
  const entry = { weights, counts, baseline: crossEntropy(catalog.config, weights, counts) };
  cache.clear(); // one version at a time is plenty
  cache.set(catalog.dir, entry);
  return entry;
}

/** A real forward pass and cross-entropy in TypeScript, with the miner's experts swapped in. */
export const builtinEvaluator: Evaluator = {
  async evaluate(job) {
    const base = await baseOf(job.catalog);
    const swapped: Weights = new Map(base.weights);
    for (const [name, t] of await readF32Tensors(job.checkpointTensors)) swapped.set(name, t);
    const cfg = job.catalog.config as unknown as Parameters<typeof crossEntropy>[0];
    return { loss: crossEntropy(cfg, swapped, base.counts), baselineLoss: base.baseline };
  },
};

/**
 * EVALUATOR_CMD, run through the shell once per job: the job as one JSON object on stdin, the result
 * {"loss": number, "baseline_loss": number} as JSON on stdout. A timeout, a non-zero exit or malformed
 * output fails the evaluation.
 */
export function commandEvaluator(cmd: string, timeoutMs: number): Evaluator {
  return {
    evaluate(job) {
      const input = JSON.stringify({
        submission_id: job.submissionId,
        model_version: job.modelVersion,
        model_dir: job.catalog.dir,
        expert_group: job.expertGroup,
        checkpoint_path: job.checkpointFile,
        tensors: job.checkpointTensors.map((t) => t.name),
      });
      return new Promise((resolve, reject) => {
        const child = spawn("sh", ["-c", cmd], { stdio: ["pipe", "pipe", "pipe"] });
        let out = "";
        let err = "";
        const timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new EvaluationFailed(`evaluator timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        child.stdout.on("data", (d) => (out += d).length > 1_000_000 && child.kill("SIGKILL"));
        child.stderr.on("data", (d) => (err = (err + d).slice(-2000)));
        child.stdin.on("error", () => undefined);
        child.on("error", (e) => {
          clearTimeout(timer);
          reject(new EvaluationFailed(`evaluator could not start: ${e.message}`));
        });
        child.on("close", (code) => {
          clearTimeout(timer);
          if (code !== 0)
            return reject(new EvaluationFailed(`evaluator exited with ${code}: ${err.trim().slice(-300)}`));
          try {
            const r = JSON.parse(out) as { loss?: unknown; baseline_loss?: unknown };
            if (typeof r.loss !== "number" || typeof r.baseline_loss !== "number")
              throw new Error("expected numbers loss and baseline_loss");
            resolve({ loss: r.loss, baselineLoss: r.baseline_loss });
          } catch (e) {
            reject(new EvaluationFailed(`evaluator output is not valid: ${(e as Error).message}`));
          }
        });
        child.stdin.end(input);
      });
    },
  };
}

export function evaluator(): Evaluator {
  const c = validatorConfig();
  return c.EVALUATOR === "command"
    ? commandEvaluator(c.EVALUATOR_CMD!, c.EVALUATOR_TIMEOUT_S * 1000)
    : builtinEvaluator;
}
