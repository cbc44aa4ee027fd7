import { hexToBytes } from "@noble/hashes/utils";
import type { DrandNetwork } from "./drand";
import { encodePayload, revealSchedule, type EpochState } from "./payload";
import { tlockEncrypt } from "./timelock";

export { QUICKNET, SimulatedBeacon, roundAt, verifyPulse, type DrandNetwork } from "./drand";
export { decodePayload, encodePayload, revealSchedule, type EpochState, type WeightsPayload } from "./payload";
export { TimelockError, tlockDecrypt, tlockEncrypt } from "./timelock";

/** The `commit_reveal_version` this console's commits are made for (the chain refuses another). */
export const COMMIT_REVEAL_VERSION = 4;

/** The chain's bound on a subject's unrevealed commits per subnet. */
export const MAX_UNREVEALED_COMMITS = 10;

/**
 * A timelocked weights commit as `commit_timelocked_mechanism_weights` takes it: the payload encrypted
 * to the drand round that will be stored when the subnet's reveal epoch begins.
 */
export function timelockedCommit(opts: {
  beacon: DrandNetwork;
  epoch: EpochState;
  now: number;
  lastStoredRound: number;
  hotkey: Uint8Array;
  uids: number[];
  values: number[];
  versionKey: bigint;
}): { ciphertext: Uint8Array; round: number; revealBlock: number } {
  const { round, revealBlock } = revealSchedule(opts.epoch, opts.beacon, opts.now, opts.lastStoredRound);
  const payload = encodePayload({
    hotkey: opts.hotkey,
    uids: opts.uids,
    values: opts.values,
    versionKey: opts.versionKey,
  });
  return { ciphertext: tlockEncrypt(hexToBytes(opts.beacon.publicKey), round, payload), round, revealBlock };
}
