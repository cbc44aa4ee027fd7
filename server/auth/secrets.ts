import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { safeEqual } from "../crypto/safe-equal";
import { isSealed, sealWithKey, unsealWithKey } from "../crypto/sealed";
import { db } from "../db";
import { config, type Config } from "../env";
import { ConfigError } from "../env";
import { ConflictError } from "../errors";
import { generatePassword, hashPassword, verifyPassword } from "./password";

/** Earlier versions kept the session secret in the database; it moves to the secrets file once. */
const LEGACY_SESSION_SECRET_KEY = "auth.sessionSecret";
const ADMIN_HASH_KEY = "auth.adminPasswordHash";
const VALIDATOR_TOKEN_KEY = "validator.authToken";

const tokens = { validator: undefined as string | undefined, key: null as Buffer | null };

/** The Bearer token miners present to the validator API (BZ_AUTH_TOKEN, or the generated one). */
export function validatorToken(): string | undefined {
  return config().BZ_AUTH_TOKEN ?? tokens.validator;
}

/** secrets.json beside the SQLite file, or in ./data for Postgres; SECRETS_FILE overrides. */
export function secretsFilePath(c: Config = config()): string {
  if (c.SECRETS_FILE) return path.resolve(c.SECRETS_FILE);
  const dir = c.DATABASE_URL.startsWith("file:") ? path.dirname(path.resolve(c.DATABASE_URL.slice(5))) : "data";
  return path.resolve(dir, "secrets.json");
}

interface SecretsFile {
  sessionSecret?: string;
  encryptionKey?: string;
}

function readSecretsFile(file: string): SecretsFile {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as SecretsFile;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ConfigError(`${file}: not readable as the secrets file (${(e as Error).message})`);
  }
}

function writeSecretsFile(file: string, secrets: SecretsFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function keyFrom(text: string): Buffer {
  return /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64url");
}

/**
 * Makes sure the session secret, the encryption key for stored secrets and the admin password exist.
 * Generated secrets live in a 0600 file beside the data, never in the database; the miner token (which
 * admins must be able to read back) is stored sealed with that key; the password only as a hash. A
 * generated password is returned to be shown once.
 */
export async function ensureSecrets(): Promise<{ sessionSecret: string; generatedPassword: string | null }> {
  const c = config();
  const file = secretsFilePath(c);
  const stored = readSecretsFile(file);
  const next: SecretsFile = { ...stored };
  const legacy = await db().setting.findUnique({ where: { key: LEGACY_SESSION_SECRET_KEY } });
  if (!c.NEXTAUTH_SECRET && !next.sessionSecret)
    next.sessionSecret = legacy?.value ?? randomBytes(32).toString("base64url");
  if (!c.SECRETS_KEY && !next.encryptionKey) next.encryptionKey = randomBytes(32).toString("base64url");
  if (next.sessionSecret !== stored.sessionSecret || next.encryptionKey !== stored.encryptionKey)
    writeSecretsFile(file, next);
  else fs.chmodSync(file, 0o600);
  if (legacy) await db().setting.delete({ where: { key: LEGACY_SESSION_SECRET_KEY } });
  const sessionSecret = c.NEXTAUTH_SECRET ?? next.sessionSecret!;
  const key = keyFrom(c.SECRETS_KEY ?? next.encryptionKey!);
  tokens.key = key;

  if (!c.BZ_AUTH_TOKEN) {
    // Miners need to be told this token, so it is kept readable for admins (Settings), sealed at rest.
    const row = await db().setting.findUnique({ where: { key: VALIDATOR_TOKEN_KEY } });
    if (!row) {
      tokens.validator = randomBytes(24).toString("base64url");
      await db().setting.create({ data: { key: VALIDATOR_TOKEN_KEY, value: sealWithKey(tokens.validator, key) } });
    } else if (!isSealed(row.value)) {
      tokens.validator = row.value;
      await db().setting.update({ where: { key: VALIDATOR_TOKEN_KEY }, data: { value: sealWithKey(row.value, key) } });
    } else {
      const plain = unsealWithKey(row.value, key);
      if (plain === null)
        throw new ConfigError(
          `The stored miner token was sealed with another key than ${c.SECRETS_KEY ? "SECRETS_KEY" : file}'s: restore that key (every instance needs the same), or set BZ_AUTH_TOKEN`,
        );
      tokens.validator = plain;
    }
  }
  let generatedPassword: string | null = null;
  if (!c.ADMIN_PASSWORD) {
    const row = await db().setting.findUnique({ where: { key: ADMIN_HASH_KEY } });
    if (!row) {
      generatedPassword = generatePassword();
      await db().setting.create({ data: { key: ADMIN_HASH_KEY, value: await hashPassword(generatedPassword) } });
    }
  }
  return { sessionSecret, generatedPassword };
}

/**
 * A new generated miner token, stored sealed; the old one stops working at once here and within 10 s on
 * other instances (reloadValidatorToken). Refused when BZ_AUTH_TOKEN sets the token.
 */
export async function rotateValidatorToken(): Promise<string> {
  if (config().BZ_AUTH_TOKEN) throw new ConflictError("The miner token comes from BZ_AUTH_TOKEN: change it there");
  if (!tokens.key) throw new ConflictError("Secrets are not loaded yet");
  const token = randomBytes(24).toString("base64url");
  const value = sealWithKey(token, tokens.key);
  await db().setting.upsert({
    where: { key: VALIDATOR_TOKEN_KEY },
    create: { key: VALIDATOR_TOKEN_KEY, value },
    update: { value },
  });
  tokens.validator = token;
  return token;
}

/** Seals a secret for the database under the stored-secrets key (AES-256-GCM; loaded by `ensureSecrets`). */
export function sealSecret(plain: string): string {
  if (!tokens.key) throw new ConflictError("Secrets are not loaded yet");
  return sealWithKey(plain, tokens.key);
}

/** The plain text of a sealed secret, or null when it does not open under the loaded key. */
export function unsealSecret(sealed: string): string | null {
  return tokens.key ? unsealWithKey(sealed, tokens.key) : null;
}

/** Picks up a token another instance rotated. */
export async function reloadValidatorToken(): Promise<void> {
  if (config().BZ_AUTH_TOKEN || !tokens.key) return;
  const row = await db().setting.findUnique({ where: { key: VALIDATOR_TOKEN_KEY } });
  const plain = row && unsealWithKey(row.value, tokens.key);
  if (plain) tokens.validator = plain;
}

export async function checkAdminPassword(username: string, password: string): Promise<boolean> {
  const c = config();
  const userOk = safeEqual(username, c.ADMIN_USERNAME);
  if (c.ADMIN_PASSWORD) return safeEqual(password, c.ADMIN_PASSWORD) && userOk;
  const row = await db().setting.findUnique({ where: { key: ADMIN_HASH_KEY } });
  const passOk = row ? await verifyPassword(password, row.value) : false;
  return passOk && userOk;
}
