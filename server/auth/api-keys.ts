import { randomBytes } from "node:crypto";
import { db } from "../db";
import { config } from "../env";
import { ConflictError } from "../errors";
import { lazy } from "../global";
import { sealSecret, unsealSecret } from "./secrets";

/**
 * The keys of the REST surfaces that are off until a key exists: the compute marketplace's (COMPUTE_API_KEY)
 * and organic search's (EXPECTED_ACCESS_KEY). An environment variable wins; otherwise an admin creates,
 * rotates and revokes the key on Settings. A created key is shown once and stored sealed (AES-256-GCM under
 * the stored-secrets key); other instances pick a change up within 10 s.
 */
export const API_KEYS = {
  compute: { env: "COMPUTE_API_KEY", prefix: "sc_compute_", title: "Compute marketplace API" },
  search: { env: "EXPECTED_ACCESS_KEY", prefix: "sc_search_", title: "Organic search API" },
} as const;
export type ApiKeyName = keyof typeof API_KEYS;

const settingKey = (name: ApiKeyName) => `apiKey.${name}`;
/** The keys created on Settings, as last read from the database. */
const stored = lazy(() => new Map<ApiKeyName, { key: string; since: Date }>());

/** The key a caller must present, or undefined while the surface is off. */
export function apiKey(name: ApiKeyName): string | undefined {
  return config()[API_KEYS[name].env] ?? stored().get(name)?.key;
}

export interface ApiKeyStatus {
  name: ApiKeyName;
  title: string;
  env: string;
  source: "environment" | "settings" | "off";
  since: Date | null;
  /** The last four characters, to tell keys apart. */
  hint: string | null;
}

export function apiKeyStatus(name: ApiKeyName): ApiKeyStatus {
  const env = API_KEYS[name].env;
  const fromEnv = config()[env];
  const s = stored().get(name);
  const key = fromEnv ?? s?.key;
  return {
    name,
    title: API_KEYS[name].title,
    env,
    source: fromEnv ? "environment" : s ? "settings" : "off",
    since: fromEnv ? null : (s?.since ?? null),
    hint: key ? key.slice(-4) : null,
  };
}

/** Reads the stored keys (at start, and every 10 s for changes made by another instance). */
export async function loadApiKeys(): Promise<void> {
  const rows = await db().setting.findMany({
    where: { key: { in: Object.keys(API_KEYS).map((n) => settingKey(n as ApiKeyName)) } },
  });
  for (const name of Object.keys(API_KEYS) as ApiKeyName[]) {
    const row = rows.find((r) => r.key === settingKey(name));
    const plain = row ? unsealSecret(row.value) : null;
    if (plain) stored().set(name, { key: plain, since: row!.updatedAt });
    else stored().delete(name);
  }
}

function refuseWhenFromEnvironment(name: ApiKeyName): void {
  const env = API_KEYS[name].env;
  if (config()[env]) throw new ConflictError(`This key comes from ${env}, which wins: change or unset it there`);
}

/** A new key for the surface (the old one stops working at once); returned once, never again. */
export async function rotateApiKey(name: ApiKeyName): Promise<string> {
  refuseWhenFromEnvironment(name);
  const key = `${API_KEYS[name].prefix}${randomBytes(24).toString("base64url")}`;
  const value = sealSecret(key);
  const row = await db().setting.upsert({
    where: { key: settingKey(name) },
    create: { key: settingKey(name), value },
    update: { value },
  });
  stored().set(name, { key, since: row.updatedAt });
  return key;
}

/** Turns the surface off: its key stops working at once. */
export async function revokeApiKey(name: ApiKeyName): Promise<void> {
  refuseWhenFromEnvironment(name);
  await db().setting.deleteMany({ where: { key: settingKey(name) } });
  stored().delete(name);
}
