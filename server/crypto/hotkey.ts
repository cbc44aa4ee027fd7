/**
 * The one crypto face for hotkeys: signing, checking and key decoding. sr25519 and ed25519 run in
 * `@polkadot/wasm-crypto` (schnorrkel and ed25519-dalek compiled to WebAssembly: sign 0.16 ms, verify
 * 0.33 ms here, where util-crypto 14's pure JavaScript sr25519 takes 1.3 ms and 2.3 ms). ecdsa (65-byte
 * signatures) goes through util-crypto, as the only place it is accepted is a signed request or sign-in.
 * No other server module imports a signature primitive (a unit test holds that).
 */
import type { KeyringPair } from "@polkadot/keyring/types";
import { decodePair } from "@polkadot/keyring/pair/decode";
import { u8aToHex } from "@polkadot/util";
import { cryptoWaitReady, decodeAddress, signatureVerify } from "@polkadot/util-crypto";
import { ed25519Sign, ed25519Verify, isReady, sr25519Sign, sr25519Verify, waitReady } from "@polkadot/wasm-crypto";

/** Both WASM engines ready; awaited before the first check (main.ts, each worker). */
export const cryptoReady: Promise<boolean> = Promise.all([cryptoWaitReady(), waitReady()]).then(([a, b]) => a && b);

/** Something that signs as a hotkey: a keyring pair, or a signer this face made from one. */
export interface Signer {
  readonly address: string;
  sign(message: Uint8Array): Uint8Array;
}

/** The raw keys of an sr25519 or ed25519 signer, decoded once per signer (never logged or stored). */
export interface SecretKeys {
  type: "sr25519" | "ed25519";
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

const isPair = (s: Signer): s is KeyringPair => typeof (s as Partial<KeyringPair>).encodePkcs8 === "function";

const secrets = new WeakMap<Signer, SecretKeys | null>();

/** The decoded keys of an unlocked sr25519 or ed25519 pair (once per pair); null for any other signer. */
export function secretKeysOf(signer: Signer): SecretKeys | null {
  let keys = secrets.get(signer);
  if (keys !== undefined) return keys;
  keys = null;
  if (isPair(signer) && (signer.type === "sr25519" || signer.type === "ed25519")) {
    try {
      const { publicKey, secretKey } = decodePair(undefined, signer.encodePkcs8(), "none");
      keys = { type: signer.type, publicKey, secretKey };
    } catch {
      keys = null; // a locked pair signs itself
    }
  }
  secrets.set(signer, keys);
  return keys;
}

/** Signs with raw keys in WASM (after `cryptoReady`). */
export function signWithKeys(keys: SecretKeys, message: Uint8Array): Uint8Array {
  return keys.type === "sr25519"
    ? sr25519Sign(keys.publicKey, keys.secretKey, message)
    : ed25519Sign(keys.publicKey, keys.secretKey.subarray(0, 32), message);
}

/**
 * `signer`'s signature over `message`: in WASM for sr25519 and ed25519 pairs, by the signer itself otherwise
 * (a locked pair, an ecdsa one). Throws before `cryptoReady` rather than fall back to slow JavaScript.
 */
export function sign(signer: Signer, message: Uint8Array): Uint8Array {
  const keys = secretKeysOf(signer);
  if (!keys) return signer.sign(message);
  if (!isReady()) throw new Error("sr25519/ed25519 WASM is not ready: await cryptoReady first");
  return signWithKeys(keys, message);
}

/** `0x`+hex signature over the UTF-8 of `message`. */
export const signHex = (signer: Signer, message: string): string =>
  u8aToHex(sign(signer, new TextEncoder().encode(message)));

const publicKeys = new Map<string, Uint8Array>();

/** The public key of an SS58 address (cached; the address's shape is the caller's to bound); throws if invalid. */
export function publicKeyOf(address: string): Uint8Array {
  let key = publicKeys.get(address);
  if (!key) {
    key = decodeAddress(address);
    if (publicKeys.size > 100_000) publicKeys.clear();
    publicKeys.set(address, key);
  }
  return key;
}

/** A WASM check of a 64-byte signature by a 32-byte key that answers false, never throws, for anything malformed. */
const checked =
  (check: (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean) =>
  (message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean => {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      return check(signature, message, publicKey);
    } catch {
      return false;
    }
  };

/** sr25519 check in WASM. */
export const verifySr25519 = checked(sr25519Verify);
/** ed25519 check in WASM. */
export const verifyEd25519 = checked(ed25519Verify);

/** ecdsa (65-byte, recoverable) check by an address; false for anything malformed. */
export function verifyEcdsa(message: Uint8Array, signature: Uint8Array, address: string): boolean {
  try {
    return signature.length === 65 && signatureVerify(message, signature, address).isValid;
  } catch {
    return false;
  }
}
