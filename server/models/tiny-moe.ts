/**
 * A small mixture-of-experts language model that the builtin evaluator runs in TypeScript, and the
 * devnet trains. Each position predicts the next token from its own token: embedding, then per layer
 * x += MoE(RMSNorm(x)) with top-k routing over SiLU experts, then RMSNorm and the LM head. Pure.
 */

export interface TinyMoeConfig {
  model_type: "tiny_moe";
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_experts: number;
  num_experts_per_tok: number;
  moe_intermediate_size: number;
  rms_norm_eps: number;
}

export type Weights = Map<string, Float32Array>;

export function isTinyMoeConfig(c: unknown): c is TinyMoeConfig {
  const x = c as Partial<TinyMoeConfig> | null;
  return (
    !!x &&
    x.model_type === "tiny_moe" &&
    [
      x.vocab_size,
      x.hidden_size,
      x.num_hidden_layers,
      x.num_experts,
      x.num_experts_per_tok,
      x.moe_intermediate_size,
    ].every((v) => Number.isInteger(v) && (v as number) > 0)
  );
}

/** Every tensor of the model with its shape, in a stable order. */
export function tensorShapes(cfg: TinyMoeConfig): Array<{ name: string; shape: number[] }> {
  const { vocab_size: V, hidden_size: H, num_hidden_layers: L, num_experts: E, moe_intermediate_size: I } = cfg;
  const out = [{ name: "model.embed_tokens.weight", shape: [V, H] }];
  for (let l = 0; l < L; l++) {
    out.push({ name: `model.layers.${l}.post_attention_layernorm.weight`, shape: [H] });
    out.push({ name: `model.layers.${l}.mlp.gate.weight`, shape: [E, H] });
    for (let e = 0; e < E; e++) {
      out.push({ name: `model.layers.${l}.mlp.experts.${e}.up_proj.weight`, shape: [I, H] });
      out.push({ name: `model.layers.${l}.mlp.experts.${e}.down_proj.weight`, shape: [H, I] });
    }
  }
  out.push({ name: "model.norm.weight", shape: [H] }, { name: "lm_head.weight", shape: [V, H] });
  return out;
}

/** A small deterministic PRNG (mulberry32) so generated models and data repeat exactly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

export function initWeights(cfg: TinyMoeConfig, seed: number): Weights {
  const r = rng(seed);
  const w: Weights = new Map();
  for (const { name, shape } of tensorShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const t = new Float32Array(n);
    if (name.endsWith("norm.weight")) t.fill(1);
    else {
      const scale = name.includes("down_proj") ? 0.02 : 1 / Math.sqrt(shape[shape.length - 1]);
      for (let i = 0; i < n; i++) t[i] = gaussian(r) * scale;
    }
    w.set(name, t);
  }
  return w;
}

function rmsnorm(x: Float32Array, g: Float32Array, eps: number, out: Float32Array) {
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  for (let i = 0; i < x.length; i++) out[i] = x[i] * inv * g[i];
}

/** out[r] = sum_c m[r*cols + c] * v[c] */
function matvec(m: Float32Array, v: Float32Array, rows: number, cols: number, out: Float32Array) {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * cols;
    for (let c = 0; c < cols; c++) s += m[base + c] * v[c];
    out[r] = s;
  }
}

/** Log-probabilities of the next token for every input token: a V x V table. */
export function nextTokenLogProbs(cfg: TinyMoeConfig, w: Weights): Float64Array[] {
  const {
    vocab_size: V,
    hidden_size: H,
    num_hidden_layers: L,
    num_experts: E,
    num_experts_per_tok: K,
    moe_intermediate_size: I,
  } = cfg;
  const eps = cfg.rms_norm_eps ?? 1e-6;
  const get = (n: string) => {
    const t = w.get(n);
    if (!t) throw new Error(`missing tensor ${n}`);
    return t;
  };
  const embed = get("model.embed_tokens.weight");
  const head = get("lm_head.weight");
  const finalNorm = get("model.norm.weight");
  const x = new Float32Array(H);
  const n = new Float32Array(H);
  const router = new Float32Array(E);
  const hidden = new Float32Array(I);
  const y = new Float32Array(H);
  const logits = new Float32Array(V);
  const table: Float64Array[] = [];
  for (let tok = 0; tok < V; tok++) {
    x.set(embed.subarray(tok * H, tok * H + H));
    for (let l = 0; l < L; l++) {
      rmsnorm(x, get(`model.layers.${l}.post_attention_layernorm.weight`), eps, n);
      matvec(get(`model.layers.${l}.mlp.gate.weight`), n, E, H, router);
      const top = [...router.keys()].sort((a, b) => router[b] - router[a]).slice(0, K);
      const mx = Math.max(...top.map((e) => router[e]));
      const ex = top.map((e) => Math.exp(router[e] - mx));
      const z = ex.reduce((a, b) => a + b, 0);
      top.forEach((e, i) => {
        matvec(get(`model.layers.${l}.mlp.experts.${e}.up_proj.weight`), n, I, H, hidden);
        for (let j = 0; j < I; j++) hidden[j] = hidden[j] / (1 + Math.exp(-hidden[j])); // SiLU
        matvec(get(`model.layers.${l}.mlp.experts.${e}.down_proj.weight`), hidden, H, I, y);
        const p = ex[i] / z;
        for (let j = 0; j < H; j++) x[j] += p * y[j];
      });
    }
    rmsnorm(x, finalNorm, eps, n);
    matvec(head, n, V, H, logits);
    let mx = -Infinity;
    for (let v = 0; v < V; v++) mx = Math.max(mx, logits[v]);
    let z = 0;
    for (let v = 0; v < V; v++) z += Math.exp(logits[v] - mx);
    const lz = mx + Math.log(z);
    const row = new Float64Array(V);
    for (let v = 0; v < V; v++) row[v] = logits[v] - lz;
    table.push(row);
  }
  return table;
}

/** Bigram counts of token sequences: counts[a][b] = how often b follows a. */
export function bigramCounts(vocab: number, sequences: number[][]): Float64Array[] {
  const counts = Array.from({ length: vocab }, () => new Float64Array(vocab));
  for (const s of sequences) for (let i = 0; i + 1 < s.length; i++) counts[s[i]][s[i + 1]]++;
  return counts;
}

/** Mean cross-entropy (nats per token) of the model on the given bigram counts. */
export function crossEntropy(cfg: TinyMoeConfig, w: Weights, counts: Float64Array[]): number {
  const lp = nextTokenLogProbs(cfg, w);
  let total = 0;
  let n = 0;
  for (let a = 0; a < counts.length; a++) {
    const row = counts[a];
    for (let b = 0; b < row.length; b++) {
      if (row[b] === 0) continue;
      total -= row[b] * lp[a][b];
      n += row[b];
    }
  }
  return n === 0 ? NaN : total / n;
}

/** The devnet's synthetic language: each token is followed by one of four others, with fixed odds. */
export function sampleSequences(
  vocab: number,
  languageSeed: number,
  sampleSeed: number,
  count: number,
  length: number,
): number[][] {
  const lang = rng(languageSeed);
  const successors = Array.from({ length: vocab }, () => [0, 1, 2, 3].map(() => Math.floor(lang() * vocab)));
  const odds = [0.55, 0.25, 0.12, 0.08];
  const r = rng(sampleSeed);
  return Array.from({ length: count }, () => {
    const s = [Math.floor(r() * vocab)];
    while (s.length < length) {
      let u = r();
      let k = 0;
      while (k < 3 && u > odds[k]) u -= odds[k++];
      s.push(successors[s[s.length - 1]][k]);
    }
    return s;
  });
}

/**
 * Improves the tensors named in `trainable` on `counts` by SPSA (simultaneous perturbation: two
 * evaluations per step estimate the gradient of every parameter at once), keeping only improvements.
 * Returns the loss before and after.
 */
export function trainSpsa(
  cfg: TinyMoeConfig,
  w: Weights,
  trainable: string[],
  counts: Float64Array[],
  steps: number,
  seed: number,
  lr = 0.05,
  c = 0.01,
): { before: number; after: number } {
  const r = rng(seed);
  const before = crossEntropy(cfg, w, counts);
  let best = before;
  for (let s = 0; s < steps; s++) {
    const deltas = trainable.map((name) => {
      const t = w.get(name)!;
      const d = new Int8Array(t.length);
      for (let i = 0; i < t.length; i++) d[i] = r() < 0.5 ? -1 : 1;
      return d;
    });
    const shift = (k: number) =>
      trainable.forEach((name, j) => {
        const t = w.get(name)!;
        const d = deltas[j];
        for (let i = 0; i < t.length; i++) t[i] += k * d[i];
      });
    shift(c);
    const plus = crossEntropy(cfg, w, counts);
    shift(-2 * c);
    const minus = crossEntropy(cfg, w, counts);
    shift(c);
    const g = (plus - minus) / (2 * c);
    const step = -lr * g;
    shift(step);
    const now = crossEntropy(cfg, w, counts);
    if (now < best) best = now;
    else shift(-step); // keep only improvements
  }
  return { before, after: best };
}
