import fs from "node:fs/promises";
import path from "node:path";
import { expertOf, parseHeader, readHeaderLength, SafetensorsError, type TensorInfo } from "./safetensors";

export interface CatalogTensor extends TensorInfo {
  file: string;
  /** Absolute offset of the tensor's bytes in `file`. */
  fileStart: number;
}

export interface ExpertGroup {
  id: number;
  /** (layer, expert) pairs of the model's routed experts. */
  members: Array<{ layer: number; expert: number }>;
}

export interface ModelCatalog {
  dir: string;
  config: Record<string, unknown>;
  /** In file order, so a composition of many tensors reads the shards front to back. */
  tensors: CatalogTensor[];
  groups: ExpertGroup[];
}

export type Selector = "full" | "shared" | { group: number };

export function selectorKey(s: Selector): string {
  return typeof s === "string" ? s : `group:${s.group}`;
}

/** Reads and validates one shard's header. */
export async function readShardHeader(file: string) {
  const handle = await fs.open(file, "r");
  try {
    const { size } = await handle.stat();
    const first = Buffer.alloc(8);
    await handle.read(first, 0, 8, 0);
    const n = readHeaderLength(first, size);
    const json = Buffer.alloc(n);
    await handle.read(json, 0, n, 8);
    return { header: parseHeader(json, n, size), size };
  } finally {
    await handle.close();
  }
}

async function shardFiles(dir: string): Promise<string[]> {
  const index = path.join(dir, "model.safetensors.index.json");
  try {
    const parsed = JSON.parse(await fs.readFile(index, "utf8")) as { weight_map?: Record<string, string> };
    if (!parsed.weight_map) throw new SafetensorsError("model.safetensors.index.json has no weight_map");
    return [...new Set(Object.values(parsed.weight_map))].sort().map((f) => path.join(dir, path.basename(f)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith(".safetensors")).sort();
  if (files.length === 0) throw new SafetensorsError(`no .safetensors files in ${dir}`);
  return files.map((f) => path.join(dir, f));
}

/**
 * Groups from expert_groups.json ({group: {layer: [[local_idx, original_idx], ...]}}, as an object keyed
 * by group id or an array), or else `defaultGroups` contiguous partitions of each layer's experts.
 */
export async function expertGroups(
  dir: string,
  tensors: CatalogTensor[],
  defaultGroups: number,
): Promise<ExpertGroup[]> {
  const experts = new Map<number, Set<number>>();
  for (const t of tensors) {
    const e = expertOf(t.name);
    if (e) experts.set(e.layer, (experts.get(e.layer) ?? new Set()).add(e.expert));
  }
  let text: string | null = null;
  try {
    text = await fs.readFile(path.join(dir, "expert_groups.json"), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  if (text !== null) {
    const raw = JSON.parse(text) as
      Record<string, Record<string, Array<[number, number]>>> | Array<Record<string, Array<[number, number]>>>;
    const entries = Array.isArray(raw) ? raw.map((g, i) => [String(i), g] as const) : Object.entries(raw);
    return entries.map(([id, layers]) => {
      const members = Object.entries(layers).flatMap(([layer, pairs]) =>
        pairs.map(([, original]) => ({ layer: Number(layer), expert: Number(original) })),
      );
      for (const m of members) {
        if (!experts.get(m.layer)?.has(m.expert))
          throw new SafetensorsError(
            `expert_groups.json: group ${id} names layer ${m.layer} expert ${m.expert}, which the model does not have`,
          );
      }
      return { id: Number(id), members };
    });
  }
  if (experts.size === 0) return [];
  return Array.from({ length: defaultGroups }, (_, g) => ({
    id: g,
    members: [...experts.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([layer, set]) => {
        const sorted = [...set].sort((a, b) => a - b);
        const from = Math.floor((g * sorted.length) / defaultGroups);
        const to = Math.floor(((g + 1) * sorted.length) / defaultGroups);
        return sorted.slice(from, to).map((expert) => ({ layer, expert }));
      }),
  }));
}

/** Reads a model directory: every shard header (validated), the config and the expert groups. */
export async function loadCatalog(dir: string, defaultGroups: number): Promise<ModelCatalog> {
  const files = await shardFiles(dir);
  const tensors: CatalogTensor[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const { header } = await readShardHeader(file).catch((e: Error) => {
      throw new SafetensorsError(`${path.basename(file)}: ${e.message}`);
    });
    for (const t of [...header.tensors].sort((a, b) => a.begin - b.begin)) {
      if (seen.has(t.name)) throw new SafetensorsError(`tensor ${t.name} appears in more than one shard`);
      seen.add(t.name);
      tensors.push({ ...t, file, fileStart: header.dataStart + t.begin });
    }
  }
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(await fs.readFile(path.join(dir, "config.json"), "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      throw new SafetensorsError(`config.json: ${(e as Error).message}`);
  }
  return { dir, config, tensors, groups: await expertGroups(dir, tensors, defaultGroups) };
}

/** The tensors a selector names, in file order; null for an unknown group. */
export function select(catalog: ModelCatalog, selector: Selector): CatalogTensor[] | null {
  if (selector === "full") return catalog.tensors;
  if (selector === "shared") return catalog.tensors.filter((t) => !expertOf(t.name));
  const group = catalog.groups.find((g) => g.id === selector.group);
  if (!group) return null;
  const wanted = new Set(group.members.map((m) => `${m.layer}:${m.expert}`));
  return catalog.tensors.filter((t) => {
    const e = expertOf(t.name);
    return e !== null && wanted.has(`${e.layer}:${e.expert}`);
  });
}
