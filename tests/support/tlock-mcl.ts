import { createDecipheriv, createHash, createCipheriv, randomBytes } from "node:crypto";
import { createRequire } from "node:module";

/**
 * A second implementation of the timelock rules for tests, on herumi's mcl (C++ compiled to WASM)
 * instead of @noble/curves: its own hash-to-curve, pairing and GT serialization, node:crypto for the
 * rest. What one side encrypts, the other must open.
 */

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const mcl: Any = require("mcl-wasm");
const core: Any = require("mcl-wasm/dist/mcl.js");

const DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
const R = BigInt("0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
let ready: Promise<void> | null = null;

export function mclReady(): Promise<void> {
  return (ready ??= (async () => {
    await mcl.init(mcl.BLS12_381);
    mcl.setMapToMode(mcl.IRTF);
    const dst = Buffer.from(DST);
    const sp = core.mod.stackSave();
    const p = core.mod.stackAlloc(dst.length);
    core.mod.HEAP8.set(dst, p);
    if (core.mod._mclBnG1_setDst(p, dst.length) !== 0) throw new Error("mcl: setDst failed");
    core.mod.stackRestore(sp);
  })());
}

const sha = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const xor = (a: Uint8Array, b: Uint8Array) => a.map((v, i) => v ^ b[i]!);

/** Points in zcash-compressed form (ETH serialization); GT little-endian (mcl's own order, which arkworks shares). */
function g1(bytes: Uint8Array): Any {
  mcl.setETHserialization(true);
  const p = new mcl.G1();
  p.deserialize(bytes);
  return p;
}
function g2(bytes: Uint8Array): Any {
  mcl.setETHserialization(true);
  const p = new mcl.G2();
  p.deserialize(bytes);
  return p;
}
function gtBytes(x: Any): Uint8Array {
  mcl.setETHserialization(false);
  const out = x.serialize();
  mcl.setETHserialization(true);
  return out;
}
function ser(p: Any): Uint8Array {
  mcl.setETHserialization(true);
  return p.serialize();
}
function fr(bytes32: Uint8Array): Any {
  const x = new mcl.Fr();
  x.setStr((BigInt("0x" + Buffer.from(bytes32).toString("hex")) % R).toString(10), 10);
  return x;
}
const G2_GEN =
  "93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";

export function mclRoundIdentity(round: number): Any {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(round));
  return mcl.hashAndMapToG1(sha(msg));
}

export function mclVerifyPulse(publicKey: Uint8Array, round: number, sig: Uint8Array): boolean {
  return mcl
    .pairing(g1(sig), g2(Buffer.from(G2_GEN, "hex")))
    .isEqual(mcl.pairing(mclRoundIdentity(round), g2(publicKey)));
}

function vec(b: Uint8Array): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(b.length));
  return Buffer.concat([len, b]);
}

export function mclEncrypt(publicKey: Uint8Array, round: number, plaintext: Uint8Array): Uint8Array {
  const k = randomBytes(32);
  const sigma = randomBytes(32);
  const r = fr(sha(sigma, k));
  const u = ser(mcl.mul(g2(Buffer.from(G2_GEN, "hex")), r));
  const v = xor(sigma, sha(gtBytes(mcl.pairing(mclRoundIdentity(round), mcl.mul(g2(publicKey), r)))));
  const w = xor(k, sha(sigma));
  const nonce = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", k, nonce);
  const body = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
  return Buffer.concat([u, vec(v), vec(w), vec(Buffer.concat([vec(body), vec(nonce)])), vec(Buffer.from("AES_GCM_"))]);
}

export function mclDecrypt(ct: Uint8Array, signature: Uint8Array): Uint8Array {
  const b = Buffer.from(ct);
  let at = 0;
  const take = (n: number) => b.subarray(at, (at += n));
  const readVec = () => take(Number(take(8).readBigUInt64LE()));
  const u = take(96);
  const v = readVec();
  const w = readVec();
  const inner = readVec();
  const suite = readVec();
  if (suite.toString() !== "AES_GCM_" || at !== b.length) throw new Error("mcl: bad framing");
  const innerLen = Number(inner.readBigUInt64LE(0));
  const body = inner.subarray(8, 8 + innerLen);
  const nonce = inner.subarray(16 + innerLen, 16 + innerLen + Number(inner.readBigUInt64LE(8 + innerLen)));
  const sigma = xor(v, sha(gtBytes(mcl.pairing(g1(signature), g2(u)))));
  const k = xor(w, sha(sigma));
  if (!mcl.mul(g2(Buffer.from(G2_GEN, "hex")), fr(sha(sigma, k))).isEqual(g2(u)))
    throw new Error("mcl: U check failed");
  const d = createDecipheriv("aes-256-gcm", k, nonce);
  d.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]);
}

/** e(Q_round, pk) serialized the way mcl writes GT (12 coefficients, 48 bytes little-endian each). */
export function mclIdentityPairing(round: number, publicKey: Uint8Array): Uint8Array {
  return gtBytes(mcl.pairing(mclRoundIdentity(round), g2(publicKey)));
}
