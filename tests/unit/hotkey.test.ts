import fs from "node:fs";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { hexToU8a, stringToU8a, u8aToHex } from "@polkadot/util";
import { ed25519Verify as jsEd25519Verify, sr25519Verify as jsSr25519Verify } from "@polkadot/util-crypto";
import * as wasm from "@polkadot/wasm-crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { cryptoReady, publicKeyOf, secretKeysOf, sign, signHex, verifySr25519 } from "@/server/crypto/hotkey";
import { verifyHotkeySignature } from "@/server/crypto/signature";
import { verifyHex } from "@/server/bittensor";
import { signSubmission, submissionMessage } from "@/server/validator/message";

beforeAll(async () => {
  expect(await cryptoReady).toBe(true);
});

/** A pair whose own (pure JavaScript) sign() must never run: the face signs with its decoded keys in WASM. */
function guarded(uri: string, type: "sr25519" | "ed25519" = "sr25519"): KeyringPair {
  const pair = new Keyring({ type, ss58Format: 42 }).addFromUri(uri);
  pair.sign = () => {
    throw new Error("a keyring pair's JavaScript sign() ran on a hot path");
  };
  return pair;
}

const text = (s: string) => new TextEncoder().encode(s);

describe("hotkey crypto face", () => {
  it("decodes //Alice's keys once to the well-known public key", () => {
    const pair = guarded("//Alice");
    const keys = secretKeysOf(pair)!;
    expect(u8aToHex(keys.publicKey)).toBe("0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d");
    expect(keys.secretKey.length).toBe(64);
    expect(secretKeysOf(pair)).toBe(keys); // decoded once per signer, not per call
    expect(u8aToHex(publicKeyOf(pair.address))).toBe(u8aToHex(keys.publicKey));
  });

  it("signs sr25519 in WASM: util-crypto's independent JavaScript verifier and the WASM one accept it", () => {
    const pair = guarded("//hotkey-face");
    const message = text("1763900000000000000.5Grw.5FHn.6f3c.a7ff");
    const sig = sign(pair, message);
    expect(sig.length).toBe(64);
    expect(jsSr25519Verify(message, sig, pair.publicKey)).toBe(true);
    expect(wasm.sr25519Verify(sig, message, pair.publicKey)).toBe(true);
    expect(verifySr25519(message, sig, pair.publicKey)).toBe(true);
    expect(jsSr25519Verify(text("another message"), sig, pair.publicKey)).toBe(false);
  });

  it("signs ed25519 in WASM, byte for byte as util-crypto does (ed25519 is deterministic)", () => {
    const pair = guarded("//hotkey-face-ed", "ed25519");
    const reference = new Keyring({ type: "ed25519" }).addFromUri("//hotkey-face-ed");
    const message = text("ed25519 message");
    const sig = sign(pair, message);
    expect(u8aToHex(sig)).toBe(u8aToHex(reference.sign(message)));
    expect(jsEd25519Verify(message, sig, pair.publicKey)).toBe(true);
  });

  it("checks signatures that util-crypto's JavaScript sr25519 made, and a real wallet extension's signature", () => {
    const pair = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//js-signer");
    const message = "a message signed elsewhere";
    const jsSig = u8aToHex(pair.sign(text(message)));
    expect(verifyHex(message, jsSig, pair.address)).toBe(true);
    expect(verifyHotkeySignature(message, jsSig, pair.address)).toBe(true);
    expect(verifyHex(`${message}!`, jsSig, pair.address)).toBe(false);
    // Signed by the polkadot{.js} browser extension (a public test vector of a Substrate project).
    const extension = {
      address: "5Gv8YYFu8H1btvmrJy9FjjAWfb99wrhV3uhPFoNEr918utyR",
      message: "test message\n",
      signature:
        "0x22f91b41ba12f8663ddce26bfc90dbfe6a51683fd3782ad679ab2a5fdbe7d44c2a119f22c74eea22555e5483eb7f42b828f189a38379d59c3b607d2461f0858e",
    };
    expect(verifyHex(extension.message, extension.signature, extension.address)).toBe(true);
    expect(verifyHotkeySignature(extension.message, extension.signature, extension.address)).toBe(true);
    expect(verifyHex("test message", extension.signature, extension.address)).toBe(false);
  });

  it("never throws on malformed input", () => {
    const good = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//x").address;
    expect(verifyHex("m", "0x" + "00".repeat(64), good)).toBe(false);
    expect(verifyHex("m", "0x" + "zz".repeat(64), good)).toBe(false);
    expect(verifyHex("m", "0x" + "00".repeat(64), "not an address")).toBe(false);
    expect(verifySr25519(text("m"), new Uint8Array(63), hexToU8a("0x" + "00".repeat(32)))).toBe(false);
    expect(verifySr25519(text("m"), new Uint8Array(64), new Uint8Array(31))).toBe(false);
  });

  it("the wire and submissions sign through the face, never with the pair's JavaScript", () => {
    const pair = guarded("//wire-signer");
    const hex = signHex(pair, "wire message");
    expect(jsSr25519Verify(stringToU8a("wire message"), hexToU8a(hex), pair.publicKey)).toBe(true);
    const body = signSubmission(pair, { expert_group: 1, checkpoint_url: "https://x.example/c", block_number: 9 });
    expect(verifyHotkeySignature(submissionMessage(body), body.signature, pair.address)).toBe(true);
  });

  it("no server module but the face imports a signature primitive", () => {
    const root = path.resolve(__dirname, "../..");
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|tsx)$/.test(e.name) && p !== path.join(root, "server/crypto/hotkey.ts")) {
          const src = fs.readFileSync(p, "utf8");
          const imports = src.match(/import[^;]*from\s+"@polkadot\/(util-crypto|wasm-crypto)[^"]*"/g) ?? [];
          if (imports.some((i) => /sr25519|ed25519|secp256k1|signatureVerify/.test(i))) offenders.push(p);
          if (/\bpair\.sign\(|\.encodePkcs8\(/.test(src)) offenders.push(p);
        }
      }
    };
    for (const d of ["server", "app", "lib", "components"]) walk(path.join(root, d));
    expect(offenders.map((p) => path.relative(root, p))).toEqual([]);
    // And the face's own primitives are the WASM ones.
    const face = fs.readFileSync(path.join(root, "server/crypto/hotkey.ts"), "utf8");
    expect(face).toMatch(/import \{[^}]*\bsr25519Sign\b[^}]*\bsr25519Verify\b[^}]*\} from "@polkadot\/wasm-crypto"/);
    expect(face).not.toMatch(/sr25519\w* [^;]*from "@polkadot\/util-crypto"/);
  });
});
