/** Signatures as they arrive in requests (text in several encodings) and their check by an SS58 hotkey. */
import { hexToU8a, u8aToU8a, u8aWrapBytes } from "@polkadot/util";
import { decodeAddress } from "@polkadot/util-crypto";
import { publicKeyOf, verifyEcdsa, verifyEd25519, verifySr25519 } from "./hotkey";
import { looksLikeSs58 } from "./ss58-format";

/** Decodes URL-safe (or standard) base64, with or without `=` padding; null when malformed. */
export function decodeBase64Url(text: string): Uint8Array | null {
  const t = text.trim();
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(t)) return null;
  const unpadded = t.replace(/=+$/, "");
  if (unpadded.length % 4 === 1) return null;
  return new Uint8Array(Buffer.from(unpadded.replace(/-/g, "+").replace(/_/g, "/"), "base64"));
}

/** A valid SS58 address of `prefix` (checksum verified). The shape is checked first: decoding is quadratic. */
export function isSs58Address(address: string, prefix = 42): boolean {
  if (!looksLikeSs58(address)) return false;
  try {
    decodeAddress(address, false, prefix);
    return true;
  } catch {
    return false;
  }
}

/**
 * The bytes of a signature written as URL-safe or standard base64 (padding optional) or 0x-hex in either
 * case: 64 bytes (sr25519, ed25519) or 65 (ecdsa); null otherwise. Every encoding of one signature gives
 * the same bytes, so replay checks key on these.
 */
export function decodeSignature(text: string): Uint8Array | null {
  if (text.length > 200) return null;
  let sig: Uint8Array | null;
  try {
    sig = /^0x/i.test(text)
      ? /^0x[0-9a-f]*$/i.test(text)
        ? hexToU8a(`0x${text.slice(2)}`)
        : null
      : decodeBase64Url(text);
  } catch {
    return null;
  }
  return sig && (sig.length === 64 || sig.length === 65) ? sig : null;
}

/**
 * Verifies a signature by an SS58 hotkey (sr25519, ed25519 or ecdsa, detected) over a message: a
 * string is signed as its UTF-8 bytes. The signature is URL-safe base64 or 0x-hex. Never throws.
 */
export function verifyHotkeySignature(message: string | Uint8Array, signature: string, address: string): boolean {
  const sig = decodeSignature(signature);
  if (sig === null) return false;
  try {
    const msg = u8aToU8a(message);
    if (sig.length === 64) {
      // Hotkeys are sr25519 (or ed25519): check those directly, the raw message and the <Bytes>-wrapped
      // form that wallet extensions sign. Cheaper than trying every scheme.
      const pub = publicKeyOf(address);
      for (const m of [msg, u8aWrapBytes(msg)]) {
        if (verifySr25519(m, sig, pub) || verifyEd25519(m, sig, pub)) return true;
      }
      return false;
    }
    return verifyEcdsa(msg, sig, address); // 65 bytes: ecdsa
  } catch {
    return false;
  }
}
