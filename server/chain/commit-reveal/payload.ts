import { TypeRegistry } from "@polkadot/types";
import { u8aToHex } from "@polkadot/util";
import type { Struct } from "@polkadot/types-codec";
import type { DrandNetwork } from "./drand";
import { roundAt } from "./drand";

const registry = new TypeRegistry();
registry.register({
  WeightsTlockPayload: { hotkey: "Bytes", uids: "Vec<u16>", values: "Vec<u16>", version_key: "u64" },
});

/** What a timelocked weights commit carries (subtensor's `WeightsTlockPayload`). */
export interface WeightsPayload {
  /** The committer's 32-byte public key. */
  hotkey: Uint8Array;
  uids: number[];
  values: number[];
  versionKey: bigint;
}

export function encodePayload(p: WeightsPayload): Uint8Array {
  return registry
    .createType("WeightsTlockPayload", {
      hotkey: u8aToHex(p.hotkey),
      uids: p.uids,
      values: p.values,
      version_key: p.versionKey,
    })
    .toU8a();
}

/** Decodes a payload exactly: trailing bytes or a short read are refused. */
export function decodePayload(bytes: Uint8Array): WeightsPayload {
  const t = registry.createType("WeightsTlockPayload", bytes) as Struct;
  if (t.encodedLength !== bytes.length) throw new Error("payload has trailing bytes");
  const get = (field: string) => t.get(field)!;
  const numbers = (field: string) => (get(field) as unknown as Array<{ toNumber(): number }>).map((x) => x.toNumber());
  return {
    hotkey: get("hotkey").toU8a(true),
    uids: numbers("uids"),
    values: numbers("values"),
    versionKey: (get("version_key") as unknown as { toBigInt(): bigint }).toBigInt(),
  };
}

/** A subnet's epoch state as the runtime keeps it. */
export interface EpochState {
  head: number;
  tempo: number;
  revealPeriodEpochs: number;
  blocksSinceLastStep: number;
  /** Seconds per block. */
  blockSeconds: number;
}

/**
 * When a commit made now is revealed: the first block of epoch `current + RevealPeriodEpochs`, and the
 * drand round to encrypt to, published three blocks after that block is expected (the chain retries a
 * commit every block of its reveal epoch until the round's pulse is stored), never below the newest
 * stored round.
 */
export function revealSchedule(
  s: EpochState,
  net: DrandNetwork,
  nowMs: number,
  lastStoredRound: number,
): { revealBlock: number; round: number } {
  const toNextEpoch = Math.max(1, s.tempo + 1 - s.blocksSinceLastStep);
  const revealBlock = s.head + toNextEpoch + (Math.max(1, s.revealPeriodEpochs) - 1) * (s.tempo + 1);
  const aheadMs = (revealBlock - s.head + 3) * s.blockSeconds * 1000;
  return { revealBlock, round: Math.max(lastStoredRound, roundAt(net, nowMs + aheadMs) - 1) };
}
