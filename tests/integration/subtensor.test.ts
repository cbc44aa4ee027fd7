import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubtensorChain } from "@/server/chain/subtensor";
import { chain as chainOf, listNeurons, refreshMetagraph } from "@/server/chain";
import { db as dbOf } from "@/server/db";
import { config } from "@/server/env";
import { FakeSubtensor, type FakeNeuron, type FakeSpec } from "../support/fake-subtensor";
import { SimulatedBeacon, decodePayload, tlockDecrypt } from "@/server/chain/commit-reveal";
import { freshDb } from "../support/db";
import { chainFigures } from "@/server/validator/queries";

async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** NeuronInfoLite's figures as fetchNeurons gives them: zero unless said. */
const figures = (f: Partial<Record<"incentive" | "dividends", number>> & { emission: string; lastUpdate: number }) => ({
  incentive: 0,
  consensus: 0,
  trust: 0,
  validatorTrust: 0,
  dividends: 0,
  ...f,
});

describe.each([219, 343, 424] as FakeSpec[])(
  "subtensor chain over a real WebSocket, finney spec %i metadata",
  (spec) => {
    const fake = new FakeSubtensor(spec);
    // Commits in these tests are encrypted to a beacon whose rounds the test can sign.
    const beacon = new SimulatedBeacon("test drand", 1_692_803_367, 3);
    let chain: SubtensorChain;
    let neurons: FakeNeuron[];
    const keyring = new Keyring({ ss58Format: 42, type: "sr25519" });

    beforeAll(async () => {
      await cryptoWaitReady();
      neurons = [0, 1, 2].map((uid) => ({
        uid,
        hotkey: keyring.addFromUri(`//hot${uid}`).address,
        coldkey: keyring.addFromUri(`//cold${uid}`).address,
        validatorPermit: uid === 0,
        stake: BigInt(uid) * 10n ** 18n + 7n, // larger than a double holds exactly
        ip: uid === 2 ? 0n : 3232235777n + BigInt(uid),
        port: 8091 + uid,
        incentive: uid === 1 ? 65535 : 0,
        dividends: uid === 0 ? 32768 : 0,
        emission: BigInt(uid) * 10n ** 15n,
        lastUpdate: 4_000_000 + uid,
      }));
      fake.neurons = neurons;
      await fake.start();
      chain = new SubtensorChain({ url: fake.url, netuid: 1, blockTimeMs: 12_000, drand: beacon.network });
      await chain.start();
    });

    afterAll(async () => {
      await chain?.stop();
      await fake.stop();
    });

    it("connects with the real metadata and follows new heads", async () => {
      await until("first head", () => chain.head() === fake.block);
      expect(chain.status()).toMatchObject({ kind: "subtensor", connected: true, head: fake.block, reconnects: 0 });
      const seen: number[] = [];
      const off = chain.onHead((e) => seen.push(e.block));
      fake.produceBlock();
      fake.produceBlock();
      await until("two more heads", () => seen.length >= 2);
      off();
      expect(seen).toEqual([fake.block - 1, fake.block]);
      expect(fake.calls).toEqual(
        expect.arrayContaining(["rpc_methods", "state_getRuntimeVersion", "chain_subscribeNewHead"]),
      );
    });

    it("reads the metagraph through the neuron runtime API the metadata describes", async () => {
      const got = await chain.fetchNeurons(1);
      expect(got).toEqual([
        {
          uid: 0,
          hotkey: neurons[0].hotkey,
          coldkey: neurons[0].coldkey,
          validatorPermit: true,
          stake: "7",
          axonIp: "192.168.1.1",
          axonPort: 8091,
          ...figures({ dividends: 32768 / 65535, emission: "0", lastUpdate: 4_000_000 }),
        },
        {
          uid: 1,
          hotkey: neurons[1].hotkey,
          coldkey: neurons[1].coldkey,
          validatorPermit: false,
          stake: "1000000000000000007",
          axonIp: "192.168.1.2",
          axonPort: 8092,
          ...figures({ incentive: 1, emission: "1000000000000000", lastUpdate: 4_000_001 }),
        },
        {
          uid: 2,
          hotkey: neurons[2].hotkey,
          coldkey: neurons[2].coldkey,
          validatorPermit: false,
          stake: "2000000000000000007",
          axonIp: null,
          axonPort: null,
          ...figures({ emission: "2000000000000000", lastUpdate: 4_000_002 }),
        },
      ]);
    });

    it.runIf(spec === 343)(
      "reads finney's recorded netuid 1 as 1,024 neurons, 12 permits and 827 serving axons",
      async () => {
        fake.replayFinney = true;
        try {
          const got = (await chain.fetchNeurons(1))!;
          expect(got).toHaveLength(1024);
          expect(new Set(got.map((n) => n.uid)).size).toBe(1024);
          expect(got.filter((n) => n.validatorPermit)).toHaveLength(12);
          expect(got.filter((n) => n.axonIp !== null)).toHaveLength(827);
          expect(got.every((n) => /^5[1-9A-HJ-NP-Za-km-z]{47}$/.test(n.hotkey))).toBe(true);
          // The chain's own figures: incentive and dividends are shares that sum to 1, dividends go to validators.
          const sum = (list: typeof got, f: (n: (typeof got)[number]) => number) => list.reduce((a, n) => a + f(n), 0);
          expect(sum(got, (n) => n.incentive!)).toBeCloseTo(1, 3);
          expect(sum(got, (n) => n.dividends!)).toBeCloseTo(1, 3);
          const permits = got.filter((n) => n.validatorPermit);
          expect(sum(permits, (n) => n.dividends!)).toBeCloseTo(1, 3);
          // Last weights: none after the recorded block, and some validator set them within the last tempo.
          expect(got.every((n) => n.lastUpdate! <= 6_852_690)).toBe(true);
          expect(Math.max(...permits.map((n) => n.lastUpdate!))).toBeGreaterThan(6_852_690 - 100);
        } finally {
          fake.replayFinney = false;
        }
      },
    );

    it.runIf(spec === 343)("the refresh job stores the metagraph and follows changes", async () => {
      const { url, db } = await freshDb();
      process.env.DATABASE_URL = url;
      process.env.NETUID = "1";
      config.set(undefined);
      dbOf.set(db);
      chainOf.set(chain);
      try {
        expect(await refreshMetagraph()).toEqual({ neurons: 3, source: "chain" });
        expect((await listNeurons()).map((n) => [n.uid, n.hotkey, n.stake])).toEqual(
          neurons.map((n) => [n.uid, n.hotkey, n.stake.toString()]),
        );
        // The chain's own figures are stored beside them, and pages read them from there.
        const stored1 = (await listNeurons()).find((n) => n.uid === 1)!;
        expect(stored1).toMatchObject({
          incentive: 1,
          dividends: 0,
          emission: "1000000000000000",
          lastUpdate: 4_000_001,
        });
        expect(chainFigures(stored1)).toMatchObject({
          incentive: 1,
          emissionAlphaRao: "1000000000000000",
          stakeAlphaRao: "1000000000000000007",
        });

        // uid 2 deregistered, uid 1 staked more, uid 0 lost its permit.
        fake.neurons = [
          { ...neurons[0], validatorPermit: false },
          { ...neurons[1], stake: 5n },
        ];
        expect(await refreshMetagraph()).toEqual({ neurons: 2, source: "chain" });
        const stored = await listNeurons();
        expect(stored.map((n) => [n.uid, n.validatorPermit, n.stake])).toEqual([
          [0, false, "7"],
          [1, false, "5"],
        ]);
      } finally {
        fake.neurons = neurons;
        chainOf.set(undefined);
        dbOf.set(undefined);
        await db.$disconnect();
      }
    });

    it("sets weights with a signed set_weights extrinsic and follows it into a block", async () => {
      const signer = keyring.addFromUri("//hot0");
      const result = await chain.setWeights(signer, 1, [1, 2], [65535, 30000]);
      expect(result).toMatchObject({ status: "set", versionKey: "7", inBlock: fake.block });
      expect(fake.extrinsics.at(-1)).toEqual({
        signer: signer.address,
        section: "subtensorModule",
        method: "setWeights",
        args: { netuid: 1, dests: [1, 2], weights: [65535, 30000], version_key: 7 },
        signatureValid: true,
        block: fake.block,
        error: null,
      });
    });

    it("reports the chain's dispatch error, never 'set', when the extrinsic fails in its block", async () => {
      fake.failNext = "NeuronNoValidatorPermit";
      const result = await chain.setWeights(keyring.addFromUri("//hot0"), 1, [1], [65535]);
      expect(result).toMatchObject({ status: "failed", inBlock: fake.block });
      expect((result as { reason: string }).reason).toMatch(/^SubtensorModule\.NeuronNoValidatorPermit/);
    });

    it("refuses what the chain would refuse: an unregistered hotkey, several mechanisms, the rate limit", async () => {
      const before = fake.extrinsics.length;
      const stranger = await chain.setWeights(keyring.addFromUri("//stranger"), 1, [1], [65535]);
      expect(stranger).toMatchObject({
        status: "skipped",
        reason: expect.stringMatching(/not registered on subnet 1/),
      });
      if (spec !== 219) {
        // Mechanisms (sub-subnets) came after spec 219.
        fake.mechanismCount = 2;
        const two = await chain.setWeights(keyring.addFromUri("//hot0"), 1, [1], [65535]);
        fake.mechanismCount = 1;
        expect(two).toMatchObject({ status: "skipped", reason: expect.stringMatching(/2 mechanisms/) });
      }
      expect(fake.extrinsics).toHaveLength(before);
    });

    describe.runIf(spec !== 219)("under commit-reveal", () => {
      beforeAll(() => {
        fake.commitReveal = true;
      });
      afterAll(() => {
        fake.commitReveal = false;
      });

      it("commits the weights timelocked to the round of the reveal epoch, and the round's signature opens them", async () => {
        const signer = keyring.addFromUri("//hot0");
        fake.storedRound = 1000n;
        const head = fake.block;
        const result = await chain.setWeights(signer, 1, [1, 2], [65535, 30000]);
        expect(result).toMatchObject({ status: "committed", versionKey: "7", inBlock: fake.block });
        const committed = result as Extract<typeof result, { status: "committed" }>;
        // tempo 99, 40 blocks since the last step: the reveal epoch starts 60 blocks on.
        expect(committed.revealBlock).toBe(head + 60);
        const ext = fake.extrinsics.at(-1)!;
        expect(ext).toMatchObject({ method: "commitTimelockedMechanismWeights", signatureValid: true });
        expect(ext.args).toMatchObject({
          netuid: 1,
          mecid: 0,
          reveal_round: committed.revealRound,
          commit_reveal_version: 4,
        });
        const expected = Math.floor((Date.now() + (60 + 3) * 12_000) / 1000 - beacon.network.genesis) / 3;
        expect(Math.abs(committed.revealRound - expected)).toBeLessThan(3);
        const ciphertext = Buffer.from(String(ext.args.commit).slice(2), "hex");
        const payload = decodePayload(tlockDecrypt(ciphertext, beacon.sign(committed.revealRound)));
        expect(payload).toEqual({ hotkey: signer.publicKey, uids: [1, 2], values: [65535, 30000], versionKey: 7n });
        expect(() => tlockDecrypt(ciphertext, beacon.sign(committed.revealRound - 1))).toThrow();
      });

      it("never encrypts to a round older than the newest stored one", async () => {
        fake.storedRound = 90_000_000n;
        const result = await chain.setWeights(keyring.addFromUri("//hot0"), 1, [1], [65535]);
        fake.storedRound = 1000n;
        expect(result).toMatchObject({ status: "committed", revealRound: 90_000_000 });
      });

      it("says why it does not commit under a commit-reveal version it does not make", async () => {
        const before = fake.extrinsics.length;
        fake.commitRevealVersion = 5;
        const result = await chain.setWeights(keyring.addFromUri("//hot0"), 1, [1], [65535]);
        fake.commitRevealVersion = 4;
        expect(result).toMatchObject({
          status: "skipped",
          reason: expect.stringMatching(/CommitRevealWeightsVersion is 5/),
        });
        expect(fake.extrinsics).toHaveLength(before);
      });

      it("follows a commit: pending until the reveal epoch, revealed when LastUpdate moves, else not revealed", async () => {
        const hotkey = keyring.addFromUri("//hot0").address;
        const revealBlock = fake.block + 5;
        expect(await chain.revealOutcome(1, hotkey, { revealBlock })).toEqual({ state: "pending" });
        fake.lastUpdate = [BigInt(revealBlock + 1)];
        expect(await chain.revealOutcome(1, hotkey, { revealBlock })).toEqual({
          state: "revealed",
          block: revealBlock + 1,
        });
        fake.lastUpdate = [];
        const long = fake.block - 200;
        const missed = await chain.revealOutcome(1, hotkey, { revealBlock: long });
        expect(missed).toMatchObject({
          state: "not_revealed",
          reason: expect.stringMatching(/drops a commit silently/),
        });
      });
    });

    it("reconnects after the node goes away and resumes the head stream", async () => {
      const port = fake.port;
      await fake.stop();
      await until("disconnect", () => !chain.status().connected);
      await fake.start(port);
      await until("reconnect", () => chain.status().connected && chain.status().reconnects === 1);
      const before = chain.head()!;
      // The resubscription may land after this block; produce until one arrives.
      await until("a head after reconnecting", () => {
        fake.produceBlock();
        return chain.head()! > before;
      });
      expect(chain.status().reconnects).toBe(1);
    });
  },
);
