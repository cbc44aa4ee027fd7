import { u8aToU8a } from "@polkadot/util";
import { cryptoWaitReady, decodeAddress, signatureVerify } from "@polkadot/util-crypto";

/** sr25519 needs its WASM ready before the first verification; main.ts awaits this at start. */
export const cryptoReady: Promise<boolean> = cryptoWaitReady();

/** Decodes URL-safe (or standard) base64, with or without `=` padding; null when malformed. */
export function decodeBase64Url(text: string): Uint8Array | null {
  const t = text.trim();
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(t)) return null;
  const unpadded = t.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(unpadded.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
}

export function isSs58Address(address: string, prefix = 42): boolean {
  try {
    decodeAddress(address, false, prefix);
    return /^[1-9A-HJ-NP-Za-km-z]{46,48}$/.test(address);
  } catch {
    return false;
  }
}

/**
 * Verifies a signature by an SS58 hotkey (sr25519, ed25519 or ecdsa, detected) over a message: a
 * string is signed as its UTF-8 bytes. The signature is URL-safe base64 or 0x-hex. Never throws.
 */
export function verifyHotkeySignature(message: string | Uint8Array, signature: string, address: string): boolean {
  const sig = signature.startsWith("0x") ? signature : decodeBase64Url(signature);
  if (sig === null || (typeof sig !== "string" && sig.length !== 64 && sig.length !== 65)) return false;
  try {
    return signatureVerify(u8aToU8a(message), sig, address).isValid;
  } catch {
    return false;
  }
}
