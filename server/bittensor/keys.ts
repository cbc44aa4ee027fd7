/** Hotkeys on the wire: who signs (a keyring pair or a wallet file), nonces, and signature checks. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { hexToU8a, isHex } from "@polkadot/util";
import { publicKeyOf, verifySr25519 } from "../crypto/hotkey";

/** Checks a `0x`+hex sr25519 signature by an SS58 hotkey over a UTF-8 message (possibly off this thread). */
export type Verifier = (message: string, signature: string, address: string) => Promise<boolean> | boolean;

/** sr25519 check (WASM) of a `0x`+hex signature by an SS58 hotkey over a UTF-8 message; false for anything malformed. */
export function verifyHex(message: string, signature: string, address: string): boolean {
  if (signature.length !== 130 || !isHex(signature)) return false;
  let key: Uint8Array;
  try {
    key = publicKeyOf(address);
  } catch {
    return false;
  }
  return verifySr25519(new TextEncoder().encode(message), hexToU8a(signature), key);
}

/** Nanoseconds since the epoch, strictly increasing within this process (bittensor's time.time_ns()). */
let lastNonce = 0n;
export function nextNonce(): bigint {
  const now = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  lastNonce = now > lastNonce ? now : lastNonce + 1n;
  return lastNonce;
}

export class WalletError extends Error {}

/** A keyring pair from a secret URI (//Alice, a mnemonic, a 0x seed). */
export function signerFromUri(uri: string): KeyringPair {
  return new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri(uri);
}

/**
 * A bittensor wallet's hotkey on disk: `<path>/<name>/hotkeys/<hotkey>`, JSON with `secretPhrase` or
 * `secretSeed` and `ss58Address` (bittensor writes hotkeys unencrypted). The derived address must match.
 */
export function loadWalletHotkey(opts: { path?: string; name: string; hotkey: string }): KeyringPair {
  const base = (opts.path ?? "~/.bittensor/wallets").replace(/^~(?=$|\/)/, os.homedir());
  const file = path.join(base, opts.name, "hotkeys", opts.hotkey);
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (stat.size > 64 * 1024) throw new WalletError(`hotkey file ${file} is too large to be a hotkey`);
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof WalletError) throw e;
    throw new WalletError(`hotkey file ${file} not found (WALLET_PATH, WALLET_NAME, WALLET_HOTKEY)`);
  }
  let data: { secretPhrase?: unknown; secretSeed?: unknown; ss58Address?: unknown };
  try {
    data = JSON.parse(text) as typeof data;
  } catch {
    const encrypted = /^\$(NACL|BT)/.test(text) || text.startsWith("gAAAAA");
    throw new WalletError(
      encrypted
        ? `hotkey file ${file} is encrypted: the console needs an unencrypted hotkey (btcli wallet regen_hotkey without --use-password)`
        : `hotkey file ${file} is not a bittensor hotkey file (not JSON)`,
    );
  }
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  let pair: KeyringPair;
  if (typeof data.secretPhrase === "string" && data.secretPhrase.trim())
    pair = keyring.addFromMnemonic(data.secretPhrase.trim());
  else if (typeof data.secretSeed === "string" && /^0x[0-9a-fA-F]{64}$/.test(data.secretSeed))
    pair = keyring.addFromSeed(hexToU8a(data.secretSeed));
  else throw new WalletError(`hotkey file ${file} has neither secretPhrase nor a 32-byte secretSeed`);
  if (typeof data.ss58Address === "string" && data.ss58Address !== pair.address)
    throw new WalletError(
      `hotkey file ${file}: its secret gives ${pair.address}, not the ss58Address ${data.ss58Address}`,
    );
  return pair;
}
