import fs from "node:fs/promises";
import path from "node:path";
import { db } from "../db";
import { config } from "../env";
import { BadRequestError, ConflictError, NotFoundError } from "../errors";
import { log } from "../log";
import { loadCatalog, select, selectorKey, type ModelCatalog, type Selector } from "./catalog";
import { compose, hashComposition, type Composition } from "./compose";
import { SafetensorsError } from "./safetensors";

export type { Selector } from "./catalog";
export { parseRange, openRange } from "./compose";

export interface Artifact {
  selector: string;
  composition: Composition;
  sha256: string;
}

export interface LoadedVersion {
  id: number;
  name: string;
  blockNumber: number;
  dir: string;
  catalog: ModelCatalog;
  artifacts: Map<string, Artifact>;
}

/** The metadata written into each composed file's __metadata__ (the content hash cannot be in it). */
function metadataFor(version: { name: string; blockNumber: number }, selector: Selector): Record<string, string> {
  return {
    expert_group: typeof selector === "string" ? selector : String(selector.group),
    block_number: String(version.blockNumber),
    model_version: version.name,
    format: "pt",
  };
}

function selectorsOf(catalog: ModelCatalog): Selector[] {
  return ["full", "shared", ...catalog.groups.map((g) => ({ group: g.id }))];
}

const state = { current: null as LoadedVersion | null };

/** The version being served: the newest published one, loaded at start (headers only). */
export function currentVersion(): LoadedVersion | null {
  return state.current;
}

async function load(
  row: { id: number; name: string; blockNumber: number; dir: string },
  hashes: Map<string, string>,
): Promise<LoadedVersion> {
  const catalog = await loadCatalog(row.dir, config().EXPERT_GROUPS);
  const artifacts = new Map<string, Artifact>();
  for (const s of selectorsOf(catalog)) {
    const key = selectorKey(s);
    const composition = compose(select(catalog, s)!, metadataFor(row, s));
    artifacts.set(key, { selector: key, composition, sha256: hashes.get(key) ?? "" });
  }
  return { ...row, catalog, artifacts };
}

/** The served version is the newest published one unless an admin chose another (a rollback). */
const SERVED_KEY = "model.served";

async function setServed(id: number): Promise<void> {
  const value = String(id);
  await db().setting.upsert({ where: { key: SERVED_KEY }, create: { key: SERVED_KEY, value }, update: { value } });
}

/** The id of the version that should be served: the admin's choice when it still exists, else the newest. */
export async function servedVersionId(): Promise<number | null> {
  const chosen = await db().setting.findUnique({ where: { key: SERVED_KEY } });
  const id = chosen ? Number(chosen.value) : NaN;
  if (Number.isSafeInteger(id) && (await db().modelVersion.findUnique({ where: { id }, select: { id: true } })))
    return id;
  return (await db().modelVersion.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? null;
}

/** Loads the served version into memory (no hashing: hashes were stored at publish). */
export async function loadCurrentVersion(): Promise<LoadedVersion | null> {
  const id = await servedVersionId();
  const row = id === null ? null : await db().modelVersion.findUnique({ where: { id }, include: { artifacts: true } });
  if (!row) return (state.current = null);
  try {
    state.current = await load(row, new Map(row.artifacts.map((a) => [a.selector, a.sha256])));
  } catch (e) {
    log.error({ version: row.name, err: (e as Error).message }, "model version could not be loaded");
    state.current = null;
  }
  return state.current;
}

/** Serves an earlier (or later) published version to miners from now on: an admin's rollback. */
export async function serveVersion(id: number): Promise<LoadedVersion> {
  const row = await db().modelVersion.findUnique({ where: { id }, select: { id: true, name: true } });
  if (!row) throw new NotFoundError(`No model version ${id}`);
  await setServed(id);
  const loaded = await loadCurrentVersion();
  if (loaded?.id !== id)
    throw new BadRequestError(`version ${row.name} could not be loaded: its files changed or are gone`);
  log.info({ version: row.name }, "model version served by an admin's choice");
  return loaded;
}

/**
 * Publishes a model directory as a version: validates every shard header, composes every download
 * (full, shared, each group) and stores its size and sha256, then serves it.
 */
export async function publishVersion(input: {
  dir: string;
  name: string;
  blockNumber: number;
  by: string;
  /** For a merged version: where it came from (stored as JSON). */
  lineage?: unknown;
}): Promise<LoadedVersion> {
  const dir = path.resolve(input.dir);
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(input.name))
    throw new BadRequestError("version name: 1-64 letters, digits, '.', '_' or '-'");
  if (await db().modelVersion.findUnique({ where: { name: input.name } }))
    throw new ConflictError(`version ${input.name} already exists`);
  try {
    await fs.access(dir);
  } catch {
    throw new BadRequestError(`model directory ${dir} does not exist`);
  }
  let version: LoadedVersion;
  try {
    version = await load({ id: 0, name: input.name, blockNumber: input.blockNumber, dir }, new Map());
  } catch (e) {
    if (e instanceof SafetensorsError || e instanceof SyntaxError)
      throw new BadRequestError(`invalid model: ${e.message}`);
    throw e;
  }
  for (const a of version.artifacts.values()) a.sha256 = await hashComposition(a.composition);
  const full = version.artifacts.get("full")!;
  const row = await db().modelVersion.create({
    data: {
      name: input.name,
      dir,
      blockNumber: input.blockNumber,
      totalBytes: BigInt(full.composition.length),
      tensorCount: full.composition.tensorCount,
      groups: JSON.stringify(version.catalog.groups),
      publishedBy: input.by,
      lineage: input.lineage === undefined ? null : JSON.stringify(input.lineage),
      artifacts: {
        create: [...version.artifacts.values()].map((a) => ({
          selector: a.selector,
          bytes: BigInt(a.composition.length),
          sha256: a.sha256,
          tensorCount: a.composition.tensorCount,
        })),
      },
    },
  });
  version.id = row.id;
  await setServed(row.id);
  state.current = version;
  log.info(
    { version: input.name, bytes: full.composition.length, groups: version.catalog.groups.length },
    "model version published",
  );
  return version;
}

export async function countDownload(versionId: number, selector: string): Promise<void> {
  await db().modelArtifact.updateMany({ where: { versionId, selector }, data: { downloads: { increment: 1 } } });
}

export async function listVersions() {
  const rows = await db().modelVersion.findMany({
    orderBy: { id: "desc" },
    include: { artifacts: { orderBy: { id: "asc" } } },
    take: 50,
  });
  return rows.map((v) => ({
    id: v.id,
    name: v.name,
    blockNumber: v.blockNumber,
    totalBytes: Number(v.totalBytes),
    tensorCount: v.tensorCount,
    publishedAt: v.publishedAt,
    publishedBy: v.publishedBy,
    current: v.id === state.current?.id,
    /** Served by an admin's choice (a rollback) while a newer version is published. */
    pinned: v.id === state.current?.id && v.id !== rows[0]!.id,
    artifacts: v.artifacts.map((a) => ({
      selector: a.selector,
      bytes: Number(a.bytes),
      sha256: a.sha256,
      tensorCount: a.tensorCount,
      downloads: a.downloads,
    })),
  }));
}
