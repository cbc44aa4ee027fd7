import { bls12_381 as bls } from "@noble/curves/bls12-381";
import { sha256 } from "@noble/hashes/sha256";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils";

import type { DrandNetwork } from "./quicknet";

export { QUICKNET, type DrandNetwork } from "./quicknet";

const ROUND_DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";

type G1 = typeof bls.G1.ProjectivePoint.BASE;
type G2 = typeof bls.G2.ProjectivePoint.BASE;

/** The round published at `unixMs` (0 before genesis). */
export function roundAt(net: DrandNetwork, unixMs: number): number {
  const s = Math.floor(unixMs / 1000) - net.genesis;
  return s < 0 ? 0 : Math.floor(s / net.period) + 1;
}

/** Unix ms at which `round` is published. */
export function roundTime(net: DrandNetwork, round: number): number {
  return (net.genesis + (round - 1) * net.period) * 1000;
}

/** The identity of a round: hash-to-G1 (RFC 9380, SSWU) of sha256(round as u64 big-endian). */
export function roundIdentity(round: number | bigint): G1 {
  const msg = new Uint8Array(8);
  new DataView(msg.buffer).setBigUint64(0, BigInt(round));
  return bls.G1.hashToCurve(sha256(msg), { DST: ROUND_DST }) as unknown as G1;
}

/** Parses a compressed G1 point and checks it is in the prime-order subgroup. */
export function g1FromBytes(bytes: Uint8Array): G1 {
  const p = bls.G1.ProjectivePoint.fromHex(bytes);
  p.assertValidity();
  return p;
}

/** Parses a compressed G2 point and checks it is in the prime-order subgroup. */
export function g2FromBytes(bytes: Uint8Array): G2 {
  const p = bls.G2.ProjectivePoint.fromHex(bytes);
  p.assertValidity();
  return p;
}

/** True when `signature` (48-byte G1) is the network's signature of `round`: e(sig, G2) = e(Q_r, pk). */
export function verifyPulse(net: DrandNetwork, round: number, signature: Uint8Array | string): boolean {
  try {
    const sig = g1FromBytes(typeof signature === "string" ? hexToBytes(signature) : signature);
    const pk = g2FromBytes(hexToBytes(net.publicKey));
    const lhs = bls.pairing(sig, bls.G2.ProjectivePoint.BASE);
    const rhs = bls.pairing(roundIdentity(round), pk);
    return bls.fields.Fp12.eql(lhs, rhs);
  } catch {
    return false;
  }
}

/**
 * A beacon of the devnet's own: a BLS12-381 key whose public half is in G2, signing each round in G1
 * exactly as quicknet does, so timelocked commits made to it reveal by the same rules.
 */
export class SimulatedBeacon {
  readonly network: DrandNetwork;
  private readonly secret: bigint;

  constructor(seed: string, genesis: number, period = 3) {
    const order = bls.fields.Fr.ORDER;
    this.secret = (BigInt("0x" + bytesToHex(sha256(new TextEncoder().encode(seed)))) % (order - 1n)) + 1n;
    const pk = bls.G2.ProjectivePoint.BASE.multiply(this.secret).toRawBytes(true);
    this.network = { name: "devnet", publicKey: bytesToHex(pk), genesis, period };
  }

  /** The signature of `round` (48 bytes). */
  sign(round: number): Uint8Array {
    return roundIdentity(round).multiply(this.secret).toRawBytes(true);
  }
}
