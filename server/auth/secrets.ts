import { randomBytes } from "node:crypto";
import { db } from "../db";
import { config } from "../env";
import { generatePassword, hashPassword, verifyPassword } from "./password";
import { safeEqual } from "../crypto/safe-equal";

const SESSION_SECRET_KEY = "auth.sessionSecret";
const ADMIN_HASH_KEY = "auth.adminPasswordHash";
const VALIDATOR_TOKEN_KEY = "validator.authToken";

const tokens = { validator: undefined as string | undefined };

/** The Bearer token miners present to the validator API (BZ_AUTH_TOKEN, or the generated one). */
export function validatorToken(): string | undefined {
  return config().BZ_AUTH_TOKEN ?? tokens.validator;
}

/**
 * Makes sure the session secret and the admin password exist. Generated values are stored (the
 * password only as a hash) so they survive restarts; a generated password is returned to be shown once.
 */
export async function ensureSecrets(): Promise<{ sessionSecret: string; generatedPassword: string | null }> {
  const c = config();
  let sessionSecret = c.NEXTAUTH_SECRET;
  if (!sessionSecret) {
    const row = await db().setting.findUnique({ where: { key: SESSION_SECRET_KEY } });
    sessionSecret = row?.value ?? randomBytes(32).toString("base64url");
    if (!row) await db().setting.create({ data: { key: SESSION_SECRET_KEY, value: sessionSecret } });
  }
  if (!c.BZ_AUTH_TOKEN) {
    // Miners need to be told this token, so it is kept readable (admins see it on Settings).
    const row = await db().setting.findUnique({ where: { key: VALIDATOR_TOKEN_KEY } });
    tokens.validator = row?.value ?? randomBytes(24).toString("base64url");
    if (!row) await db().setting.create({ data: { key: VALIDATOR_TOKEN_KEY, value: tokens.validator } });
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

export async function checkAdminPassword(username: string, password: string): Promise<boolean> {
  const c = config();
  const userOk = safeEqual(username, c.ADMIN_USERNAME);
  if (c.ADMIN_PASSWORD) return safeEqual(password, c.ADMIN_PASSWORD) && userOk;
  const row = await db().setting.findUnique({ where: { key: ADMIN_HASH_KEY } });
  const passOk = row ? await verifyPassword(password, row.value) : false;
  return passOk && userOk;
}

/** Replaces the stored admin password (used when ADMIN_PASSWORD is not set). */
export async function setAdminPassword(password: string): Promise<void> {
  const value = await hashPassword(password);
  await db().setting.upsert({
    where: { key: ADMIN_HASH_KEY },
    create: { key: ADMIN_HASH_KEY, value },
    update: { value },
  });
}
