import { bigramCounts, sampleSequences, trainSpsa, type TinyMoeConfig, type Weights } from "../models/tiny-moe";

export interface TrainingTask {
  cfg: TinyMoeConfig;
  base: Weights;
  /** The tensors of the miner's expert group: the only ones trained. */
  names: string[];
  /** Seed of the devnet's synthetic language (config.json devnet_language_seed). */
  language: number;
  samples: number;
  steps: number;
  seed: number;
  round: number;
}

/** One round of a devnet miner's training: its own samples of the language, then SPSA on its group. */
export function trainRound(t: TrainingTask): Weights {
  const weights: Weights = new Map([...t.base].map(([k, v]) => [k, new Float32Array(v)]));
  const counts = bigramCounts(
    t.cfg.vocab_size,
    sampleSequences(t.cfg.vocab_size, t.language, t.seed * 1000 + t.round, t.samples, 64),
  );
  for (let done = 0; done < t.steps; done += 5) {
    trainSpsa(t.cfg, weights, t.names, counts, Math.min(5, t.steps - done), t.seed * 7919 + t.round * 31 + done);
  }
  return weights;
}
