/**
 * Secrets stored in the database are sealed with AES-256-GCM under a key that is not in the database:
 * `enc:v1:` + base64url(iv[12] | tag[16] | ciphertext). Someone with a read-only view of the database (a
 * backup, a read-only role) learns nothing from them.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const PREFIX = "enc:v1:";

export function isSealed(text: string): boolean {
  return text.startsWith(PREFIX);
}

export function sealWithKey(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** The plain text, or null when the value was sealed under another key or altered. */
export function unsealWithKey(sealed: string, key: Buffer): string | null {
  if (!isSealed(sealed)) return null;
  const raw = Buffer.from(sealed.slice(PREFIX.length), "base64url");
  if (raw.length < 28) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
