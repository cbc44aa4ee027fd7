import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { hexToBytes } from "@noble/hashes/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chain as chainOf } from "@/server/chain";
import { timelockedCommit, tlockEncrypt } from "@/server/chain/commit-reveal";
import { submitWeights, weightsHistory } from "@/server/chain/weights";
import { db as dbOf, type Db } from "@/server/db";
import { config } from "@/server/env";
import { freshDb } from "../support/db";
import { startLocalChain, type LocalChain } from "../support/local-chain";

/**
 * The devnet chain's weights, end to end with the real crypto: the console's chain (the finney code, over
 * @polkadot/api) commits timelocked weights to the devnet beacon's round, and the devnet's node reveals them at the
 * reveal epoch by subtensor's decryption rules. The clock is the test's: a block every 12 s of it.
 */
describe("commit-reveal weights on the devnet chain", () => {
  const keyring = new Keyring({ ss58Format: 42, type: "sr25519" });
  let db: Db;
  let local: LocalChain;
  let t = Date.now();
  let signer: ReturnType<Keyring["addFromUri"]>;
  let stranger: ReturnType<Keyring["addFromUri"]>;

  beforeAll(async () => {
    await cryptoWaitReady();
    signer = keyring.addFromUri("//devnet-validator");
    stranger = keyring.addFromUri("//stranger");
    const fresh = await freshDb();
    db = fresh.db;
    process.env.DATABASE_URL = fresh.url;
    config.set(undefined);
    dbOf.set(db);
    local = await startLocalChain({
      startBlock: 1000,
      now: () => t,
      tempo: 10,
      setup: (node) => {
        node.addSubnet(1, { commitReveal: true });
        node.register(1, { hotkey: signer.address, coldkey: signer.address, validatorPermit: true, stake: 1n });
      },
    });
    chainOf.set(local.chain);
  });

  afterAll(async () => {
    await local?.stop();
    chainOf.set(undefined);
    dbOf.set(undefined);
    await db.$disconnect();
  });

  /** Moves the clock and the head one block at a time (the chain looks at every block). */
  async function advance(blocks: number) {
    for (let i = 0; i < blocks; i++) {
      t += 12_000;
      await local.nextBlock();
    }
  }

  it("commits to the beacon round of the reveal epoch and reveals at its first block", async () => {
    const result = await local.chain.setWeights(signer, 1, [1, 4], [65535, 100]);
    expect(result.status).toBe("committed");
    const c = result as Extract<typeof result, { status: "committed" }>;
    // (block + netuid + 1) / (tempo + 1): the next epoch starts within 11 blocks.
    expect(c.revealBlock - local.chain.head()!).toBeGreaterThan(0);
    expect(c.revealBlock - local.chain.head()!).toBeLessThanOrEqual(11);
    expect((c.revealBlock + 1 + 1) % 11).toBe(0);
    expect(await local.chain.revealOutcome(1, signer.address, c)).toEqual({ state: "pending" });
    await advance(c.revealBlock - local.chain.head()! - 1);
    expect(await local.chain.revealOutcome(1, signer.address, c)).toEqual({ state: "pending" });
    await advance(6);
    const outcome = await local.chain.revealOutcome(1, signer.address, c);
    expect(outcome).toMatchObject({ state: "revealed" });
    expect((outcome as { block: number }).block).toBeGreaterThanOrEqual(c.revealBlock);
    expect(local.node.weights.weights.get(`1:${signer.address}`)).toMatchObject({ uids: [1, 4], values: [65535, 100] });
  });

  it("refuses what subtensor refuses: an unregistered hotkey, a round already stored", async () => {
    // The console does not send what the chain would refuse; the node refuses it all the same.
    expect(await local.chain.setWeights(stranger, 1, [1], [65535])).toMatchObject({
      status: "skipped",
      reason: `hotkey ${stranger.address} is not registered on subnet 1`,
    });
    const w = local.node.weights;
    const round = w.lastStoredRound() + 10;
    const sealed = tlockEncrypt(hexToBytes(w.beacon.network.publicKey), round, new Uint8Array(8));
    const head = local.chain.head()!;
    expect(
      await w.commit(
        { who: stranger.address, whoKey: stranger.publicKey, netuid: 1, inBlock: head, ciphertext: sealed, round },
        4,
      ),
    ).toBe("SubtensorModule.HotKeyNotRegisteredInSubNet");
    const past = w.lastStoredRound() - 1;
    const ciphertext = tlockEncrypt(hexToBytes(w.beacon.network.publicKey), past, new Uint8Array(8));
    const error = await w.commit(
      {
        who: signer.address,
        whoKey: signer.publicKey,
        netuid: 1,
        inBlock: local.chain.head()!,
        ciphertext,
        round: past,
      },
      4,
    );
    expect(error).toBe("SubtensorModule.InvalidRevealRound");
    expect(
      await w.commit(
        {
          who: signer.address,
          whoKey: signer.publicKey,
          netuid: 1,
          inBlock: local.chain.head()!,
          ciphertext,
          round: past + 10,
        },
        3,
      ),
    ).toBe("SubtensorModule.IncorrectCommitRevealVersion");
  });

  it("a wrong commit visibly fails to reveal: another hotkey in the payload, a round that does not open it", async () => {
    const w = local.node.weights;
    const head = local.chain.head()!;
    const commitFor = (hotkey: Uint8Array) =>
      timelockedCommit({
        beacon: w.beacon.network,
        epoch: w.epochState(1, head, 12),
        now: t,
        lastStoredRound: w.lastStoredRound(),
        hotkey,
        uids: [2],
        values: [65535],
        versionKey: 0n,
      });
    const other = commitFor(stranger.publicKey);
    const base = { who: signer.address, whoKey: signer.publicKey, netuid: 1 };
    expect(
      await w.commit({ ...base, inBlock: head + 1, ciphertext: other.ciphertext, round: other.round }, 4),
    ).toBeNull();
    const mine = commitFor(signer.publicKey);
    expect(
      await w.commit({ ...base, inBlock: head + 2, ciphertext: mine.ciphertext, round: mine.round + 1 }, 4),
    ).toBeNull();
    await advance(other.revealBlock - head + 6);
    expect(w.outcome(1, signer.address, head + 1, local.chain.head()!)).toEqual({
      state: "not_revealed",
      reason: "the payload names another hotkey than the committer",
    });
    expect(w.outcome(1, signer.address, head + 2, local.chain.head()!)).toMatchObject({
      state: "not_revealed",
      reason: expect.stringMatching(/does not open with round/),
    });
  });

  it("records each cycle: committed (round R), then revealed at block B when the next cycle settles it", async () => {
    const first = await submitWeights(
      "validator",
      1,
      signer,
      new Map([
        [3, 0.5],
        [5, 1],
      ]),
      "none",
    );
    expect(first).toMatchObject({ status: "committed", uids: [3, 5], weights: [32768, 65535], revealedAt: null });
    expect(first.revealRound).toBeGreaterThan(0);
    await advance(first.revealBlock! - local.chain.head()! + 6);
    const second = await submitWeights("validator", 1, signer, new Map(), "no miner has points");
    expect(second).toMatchObject({ status: "skipped", reason: "no miner has points" });
    const [latest, settled] = await weightsHistory("validator", 2);
    expect(latest!.id).toBe(second.id);
    expect(settled).toMatchObject({ id: first.id, status: "revealed" });
    expect(settled!.revealedAt).toBeGreaterThanOrEqual(first.revealBlock!);
  });
});
