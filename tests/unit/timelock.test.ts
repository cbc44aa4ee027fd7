import { beforeAll, describe, expect, it } from "vitest";
import { bls12_381 as bls } from "@noble/curves/bls12-381";
import { hexToBytes, bytesToHex } from "@noble/hashes/utils";
import {
  QUICKNET,
  SimulatedBeacon,
  roundAt,
  roundIdentity,
  roundTime,
  verifyPulse,
} from "@/server/chain/commit-reveal/drand";
import { TimelockError, serializeGt, tlockDecrypt, tlockEncrypt } from "@/server/chain/commit-reveal/timelock";
import { decodePayload, encodePayload, revealSchedule } from "@/server/chain/commit-reveal/payload";
import {
  mclDecrypt,
  mclEncrypt,
  mclReady,
  mclIdentityPairing,
  mclRoundIdentity,
  mclVerifyPulse,
} from "../support/tlock-mcl";

// Real quicknet pulses (REFERENCE "Commit-reveal weights").
const PULSES: Record<number, string> = {
  1000: "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39",
  2000: "b6cb8f482a0b15d45936a4c4ea08e98a087e71787caee3f4d07a8a9843b1bc5423c6b3c22f446488b3137eaca799c77e",
  17200000: "9672ff8379fd8339523ab38b8c79637b92dca07988352f7a2c1abd3ec8b4672a2f7a61ca8984b4051b7c9fc66c6ee4db",
};
const PK = hexToBytes(QUICKNET.publicKey);
const text = (s: string) => new TextEncoder().encode(s);

beforeAll(() => mclReady());

describe("drand quicknet", () => {
  it("verifies the three real round signatures, and no signature for another round", () => {
    for (const [round, sig] of Object.entries(PULSES)) {
      expect(verifyPulse(QUICKNET, Number(round), sig)).toBe(true);
      expect(mclVerifyPulse(PK, Number(round), hexToBytes(sig))).toBe(true);
    }
    expect(verifyPulse(QUICKNET, 1001, PULSES[1000]!)).toBe(false);
    expect(verifyPulse(QUICKNET, 2000, PULSES[1000]!)).toBe(false);
    expect(verifyPulse(QUICKNET, 1000, "00")).toBe(false);
  });

  it("hashes a round to the same G1 point as mcl, and serializes GT in mcl's (arkworks') byte order", () => {
    for (const round of [1, 1000, 17200000]) {
      expect(bytesToHex(roundIdentity(round).toRawBytes(true))).toBe(
        Buffer.from(mclRoundIdentity(round).serialize()).toString("hex"),
      );
    }
    const gt = serializeGt(bls.pairing(roundIdentity(1000), bls.G2.ProjectivePoint.fromHex(PK)));
    expect(gt.length).toBe(576);
    expect(bytesToHex(gt)).toBe(bytesToHex(mclIdentityPairing(1000, PK)));
  });

  it("keeps quicknet's clock: round r at genesis + (r - 1) * 3 s", () => {
    expect(roundTime(QUICKNET, 1)).toBe(1692803367_000);
    expect(roundAt(QUICKNET, roundTime(QUICKNET, 17200000))).toBe(17200000);
    expect(roundAt(QUICKNET, roundTime(QUICKNET, 17200000) + 2999)).toBe(17200000);
    expect(roundAt(QUICKNET, 0)).toBe(0);
  });

  it("signs rounds with a devnet beacon key that both implementations verify", () => {
    const beacon = new SimulatedBeacon("test beacon", 1_700_000_000);
    const sig = beacon.sign(42);
    expect(sig.length).toBe(48);
    expect(verifyPulse(beacon.network, 42, sig)).toBe(true);
    expect(mclVerifyPulse(hexToBytes(beacon.network.publicKey), 42, sig)).toBe(true);
    expect(verifyPulse(beacon.network, 43, sig)).toBe(false);
    expect(verifyPulse(QUICKNET, 42, sig)).toBe(false);
  });
});

describe("timelock encryption", () => {
  const plaintext = text("weights for round 1000");

  it("opens with mcl what it encrypts, and opens what mcl encrypts, with the real round signature", () => {
    const ct = tlockEncrypt(PK, 1000, plaintext);
    expect(ct.length).toBe(244 + plaintext.length);
    expect(Buffer.from(mclDecrypt(ct, hexToBytes(PULSES[1000]!))).toString()).toBe("weights for round 1000");
    expect(new TextDecoder().decode(tlockDecrypt(ct, hexToBytes(PULSES[1000]!)))).toBe("weights for round 1000");
    const theirs = mclEncrypt(PK, 17200000, plaintext);
    expect(new TextDecoder().decode(tlockDecrypt(theirs, hexToBytes(PULSES[17200000]!)))).toBe(
      "weights for round 1000",
    );
  });

  it("does not open with another round's signature, nor a tampered or truncated ciphertext", () => {
    const ct = tlockEncrypt(PK, 1000, plaintext);
    expect(() => tlockDecrypt(ct, hexToBytes(PULSES[2000]!))).toThrow(TimelockError);
    expect(() => mclDecrypt(ct, hexToBytes(PULSES[2000]!))).toThrow();
    const tampered = ct.slice();
    tampered[tampered.length - 40] ^= 1; // inside the AES-GCM body
    expect(() => tlockDecrypt(tampered, hexToBytes(PULSES[1000]!))).toThrow(/authenticate/);
    expect(() => tlockDecrypt(ct.subarray(0, 200), hexToBytes(PULSES[1000]!))).toThrow(TimelockError);
    const huge = ct.slice();
    new DataView(huge.buffer).setBigUint64(96, 1n << 40n, true); // V's length
    expect(() => tlockDecrypt(huge, hexToBytes(PULSES[1000]!))).toThrow(/exceeds/);
    expect(() => tlockDecrypt(ct, new Uint8Array(48))).toThrow(TimelockError);
  });
});

describe("weights payload and reveal schedule", () => {
  it("encodes WeightsTlockPayload as SCALE, byte for byte", () => {
    const hotkey = new Uint8Array(32).fill(7);
    const bytes = encodePayload({ hotkey, uids: [1, 3], values: [65535, 1], versionKey: 21706n });
    const expected = "80" + "07".repeat(32) + "08" + "0100" + "0300" + "08" + "ffff" + "0100" + "ca54000000000000";
    expect(bytesToHex(bytes)).toBe(expected);
    const back = decodePayload(bytes);
    expect(back).toEqual({ hotkey, uids: [1, 3], values: [65535, 1], versionKey: 21706n });
    expect(() => decodePayload(new Uint8Array([...bytes, 0]))).toThrow(/trailing/);
  });

  it("targets the round three blocks after the first block of the reveal epoch, never below the stored round", () => {
    const now = roundTime(QUICKNET, 20_000_000);
    // tempo 99, 40 blocks into the epoch, reveal period 1: next epoch in 60 blocks.
    const s = { head: 6_852_690, tempo: 99, revealPeriodEpochs: 1, blocksSinceLastStep: 40, blockSeconds: 12 };
    const a = revealSchedule(s, QUICKNET, now, 0);
    expect(a.revealBlock).toBe(6_852_750);
    expect(a.round).toBe(20_000_000 + ((60 + 3) * 12) / 3 - 1);
    const two = revealSchedule({ ...s, revealPeriodEpochs: 2 }, QUICKNET, now, 0);
    expect(two.revealBlock).toBe(6_852_750 + 100);
    expect(revealSchedule(s, QUICKNET, now, 30_000_000).round).toBe(30_000_000);
  });
});
