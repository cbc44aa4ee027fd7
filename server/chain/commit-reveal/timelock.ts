import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { bls12_381 as bls } from "@noble/curves/bls12-381";
import { sha256 } from "@noble/hashes/sha256";
import { bytesToHex, concatBytes } from "@noble/hashes/utils";
import { g1FromBytes, g2FromBytes, roundIdentity } from "./drand";

/**
 * Timelock encryption to a drand round, in the exact format subtensor decrypts (the `tle` crate:
 * Boneh-Franklin FullIdent on BLS12-381 with plain SHA-256, an AES-256-GCM body, arkworks framing).
 * Only the round's beacon signature opens it.
 */

const SUITE = new TextEncoder().encode("AES_GCM_");
const G2_BYTES = 96;
const Fr = bls.fields.Fr;

export class TimelockError extends Error {}

type Fp12 = ReturnType<typeof bls.pairing>;

function le48(x: bigint): Uint8Array {
  const out = new Uint8Array(48);
  for (let i = 0; i < 48; i++, x >>= 8n) out[i] = Number(x & 0xffn);
  return out;
}

/** arkworks' serialization of a GT element: the 12 Fp coefficients c0.c0.c0, c0.c0.c1, ... c1.c2.c1, each 48 bytes little-endian. */
export function serializeGt(x: Fp12): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of [x.c0, x.c1]) for (const f2 of [c.c0, c.c1, c.c2]) parts.push(le48(f2.c0), le48(f2.c1));
  return concatBytes(...parts);
}

const xor = (a: Uint8Array, b: Uint8Array) => a.map((v, i) => v ^ b[i]!);
const scalarOf = (sigma: Uint8Array, k: Uint8Array) =>
  Fr.create(BigInt("0x" + bytesToHex(sha256(concatBytes(sigma, k)))));

/** An arkworks `Vec<u8>`: u64 little-endian length, then the bytes. */
function vec(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + bytes.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
  out.set(bytes, 8);
  return out;
}

class Reader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  take(n: number): Uint8Array {
    if (n > this.bytes.length - this.at) throw new TimelockError("ciphertext is truncated");
    return this.bytes.subarray(this.at, (this.at += n));
  }
  vec(max: number): Uint8Array {
    const head = this.take(8);
    const len = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
    if (len > BigInt(max)) throw new TimelockError(`a field of ${len} bytes exceeds ${max}`);
    return this.take(Number(len));
  }
  end(): void {
    if (this.at !== this.bytes.length) throw new TimelockError("ciphertext has trailing bytes");
  }
}

/**
 * Encrypts `plaintext` so that it opens with the signature of `round` by the beacon whose G2 key is
 * `publicKey`. Output: 244 + plaintext.length bytes.
 */
export function tlockEncrypt(
  publicKey: Uint8Array,
  round: number,
  plaintext: Uint8Array,
  random = randomBytes,
): Uint8Array {
  const pk = g2FromBytes(publicKey);
  const identity = roundIdentity(round);
  for (;;) {
    const k = random(32);
    const sigma = random(32);
    const r = scalarOf(sigma, k);
    if (r === 0n) continue;
    const u = bls.G2.ProjectivePoint.BASE.multiply(r).toRawBytes(true);
    const mask = sha256(serializeGt(bls.pairing(identity, pk.multiply(r))));
    const v = xor(sigma, mask);
    const w = xor(k, sha256(sigma));
    const nonce = random(12);
    const cipher = createCipheriv("aes-256-gcm", k, nonce);
    const body = concatBytes(cipher.update(plaintext), cipher.final(), cipher.getAuthTag());
    return concatBytes(u, vec(v), vec(w), vec(concatBytes(vec(body), vec(nonce))), vec(SUITE));
  }
}

/** Opens a ciphertext with the round's beacon signature (48-byte G1); throws TimelockError when it does not open. */
export function tlockDecrypt(ciphertext: Uint8Array, signature: Uint8Array, maxPlaintext = 1 << 20): Uint8Array {
  const reader = new Reader(ciphertext);
  const uBytes = reader.take(G2_BYTES);
  const v = reader.vec(32);
  const w = reader.vec(32);
  const inner = new Reader(reader.vec(maxPlaintext + 64));
  const suite = reader.vec(16);
  reader.end();
  const body = inner.vec(maxPlaintext + 16);
  const nonce = inner.vec(12);
  inner.end();
  if (v.length !== 32 || w.length !== 32 || nonce.length !== 12 || body.length < 16) {
    throw new TimelockError("ciphertext fields have the wrong sizes");
  }
  if (bytesToHex(suite) !== bytesToHex(SUITE)) throw new TimelockError("unknown cipher suite");
  let u, sig;
  try {
    u = g2FromBytes(uBytes);
    sig = g1FromBytes(signature);
  } catch (e) {
    throw new TimelockError(`not a curve point: ${(e as Error).message}`);
  }
  const sigma = xor(v, sha256(serializeGt(bls.pairing(sig, u))));
  const k = xor(w, sha256(sigma));
  const r = scalarOf(sigma, k);
  if (r === 0n || !u.equals(bls.G2.ProjectivePoint.BASE.multiply(r))) {
    throw new TimelockError("the signature does not open this ciphertext (wrong round or beacon)");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", k, nonce);
    decipher.setAuthTag(body.subarray(body.length - 16));
    return concatBytes(decipher.update(body.subarray(0, body.length - 16)), decipher.final());
  } catch {
    throw new TimelockError("the body does not authenticate");
  }
}
