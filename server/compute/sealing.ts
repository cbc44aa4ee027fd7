/**
 * The credentials a miner hands out are sealed to a fresh RSA-2048 key per allocation (OAEP with SHA-256,
 * as SN27's miners encrypt them); the public key is also the allocation's `regkey`.
 */
import { constants, generateKeyPair, privateDecrypt, publicEncrypt } from "node:crypto";
import { promisify } from "node:util";
import { z } from "zod";

const generate = promisify(generateKeyPair);

export interface AllocationKeys {
  /** SPKI PEM: sent to the miner, kept as `regkey`. */
  publicKey: string;
  /** PKCS#8 PEM: only to open the miner's answer, never stored. */
  privateKey: string;
}

/** A fresh RSA-2048 key pair (off the event loop: key generation takes tens of milliseconds). */
export async function allocationKeys(): Promise<AllocationKeys> {
  const { publicKey, privateKey } = await generate("rsa", {
    modulusLength: 2048,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKey, privateKey };
}

const OAEP = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" } as const;

/** What a miner does: base64 of RSA-OAEP-SHA256 of the UTF-8 text (at most 190 bytes for 2048-bit keys). */
export function sealToPublicKey(publicKeyPem: string, text: string): string {
  return publicEncrypt({ key: publicKeyPem, ...OAEP }, Buffer.from(text, "utf8")).toString("base64");
}

export class SealError extends Error {}

export function openWithPrivateKey(privateKeyPem: string, sealedBase64: string): string {
  if (sealedBase64.length > 1024 || !/^[A-Za-z0-9+/]+={0,2}$/.test(sealedBase64))
    throw new SealError("the sealed credentials are not base64 of one RSA-2048 block");
  try {
    return privateDecrypt({ key: privateKeyPem, ...OAEP }, Buffer.from(sealedBase64, "base64")).toString("utf8");
  } catch {
    throw new SealError("the sealed credentials do not open with this allocation's key");
  }
}

/** The credentials inside: `{username, password, port, version}` as SN27 miners write them. */
export const sealedCredentialsSchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(128),
  port: z.coerce.number().int().min(1).max(65535),
  version: z.union([z.string(), z.number()]).optional(),
});

export function openCredentials(privateKeyPem: string, sealedBase64: string) {
  let json: unknown;
  try {
    json = JSON.parse(openWithPrivateKey(privateKeyPem, sealedBase64));
  } catch (e) {
    if (e instanceof SealError) throw e;
    throw new SealError("the sealed credentials are not JSON");
  }
  const parsed = sealedCredentialsSchema.safeParse(json);
  if (!parsed.success) throw new SealError(`the sealed credentials are incomplete: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
