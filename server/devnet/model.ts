import fs from "node:fs/promises";
import path from "node:path";
import { writeSafetensors } from "../models/files";
import { initWeights, sampleSequences, tensorShapes, type TinyMoeConfig } from "../models/tiny-moe";

export const DEVNET_LANGUAGE_SEED = 7;

export const DEVNET_CONFIG: TinyMoeConfig & { architectures: string[]; devnet_language_seed: number } = {
  architectures: ["TinyMoeForCausalLM"],
  model_type: "tiny_moe",
  vocab_size: 64,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_experts: 8,
  num_experts_per_tok: 2,
  moe_intermediate_size: 32,
  rms_norm_eps: 1e-5,
  devnet_language_seed: DEVNET_LANGUAGE_SEED,
};

/**
 * Writes the devnet's first model: a tiny MoE in Hugging Face layout, two safetensors shards with an
 * index, its config, and a held-out batch of the synthetic language for the builtin evaluator.
 */
export async function writeDevnetModel(dir: string, seed = 1): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const cfg = DEVNET_CONFIG;
  const weights = initWeights(cfg, seed);
  const shapes = tensorShapes(cfg);
  const half = Math.ceil(shapes.length / 2);
  const shards = [shapes.slice(0, half), shapes.slice(half)];
  const weightMap: Record<string, string> = {};
  for (const [i, shard] of shards.entries()) {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    await writeSafetensors(
      path.join(dir, file),
      shard.map((t) => ({ ...t, data: weights.get(t.name)! })),
      { format: "pt" },
    );
    for (const t of shard) weightMap[t.name] = file;
  }
  await fs.writeFile(
    path.join(dir, "model.safetensors.index.json"),
    JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2),
  );
  await fs.writeFile(path.join(dir, "config.json"), JSON.stringify(cfg, null, 2));
  await fs.writeFile(
    path.join(dir, "eval_batch.json"),
    JSON.stringify({ sequences: sampleSequences(cfg.vocab_size, DEVNET_LANGUAGE_SEED, 424242, 96, 64) }),
  );
}
