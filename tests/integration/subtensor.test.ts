import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubtensorChain } from "@/server/chain/subtensor";
import { chain as chainOf, listNeurons, refreshMetagraph } from "@/server/chain";
import { db as dbOf } from "@/server/db";
import { config } from "@/server/env";
import { FakeSubtensor, type FakeNeuron } from "../support/fake-subtensor";
import { freshDb } from "../support/db";

async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("subtensor chain over a real WebSocket", () => {
  const fake = new FakeSubtensor();
  let chain: SubtensorChain;
  let neurons: FakeNeuron[];

  beforeAll(async () => {
    await cryptoWaitReady();
    const keyring = new Keyring({ ss58Format: 42, type: "sr25519" });
    neurons = [0, 1, 2].map((uid) => ({
      uid,
      hotkey: keyring.addFromUri(`//hot${uid}`).address,
      coldkey: keyring.addFromUri(`//cold${uid}`).address,
      validatorPermit: uid === 0,
      stake: BigInt(uid) * 10n ** 18n + 7n, // larger than a double holds exactly
      ip: uid === 2 ? 0n : 3232235777n + BigInt(uid),
      port: 8091 + uid,
    }));
    fake.neurons = neurons;
    await fake.start();
    chain = new SubtensorChain({ url: fake.url, netuid: 1, blockTimeMs: 12_000 });
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
      expect.arrayContaining(["state_getMetadata", "rpc_methods", "state_getRuntimeVersion", "chain_subscribeNewHead"]),
    );
  });

  it("reads the metagraph through the neuron runtime API", async () => {
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
      },
      {
        uid: 1,
        hotkey: neurons[1].hotkey,
        coldkey: neurons[1].coldkey,
        validatorPermit: false,
        stake: "1000000000000000007",
        axonIp: "192.168.1.2",
        axonPort: 8092,
      },
      {
        uid: 2,
        hotkey: neurons[2].hotkey,
        coldkey: neurons[2].coldkey,
        validatorPermit: false,
        stake: "2000000000000000007",
        axonIp: null,
        axonPort: null,
      },
    ]);
  });

  it("the refresh job stores the metagraph and follows changes", async () => {
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

  it("sets weights with a signed set_weights extrinsic, and declines under commit-reveal", async () => {
    const signer = new Keyring({ ss58Format: 42, type: "sr25519" }).addFromUri("//WeightSetter");
    const result = await chain.setWeights(signer, 1, [1, 2], [65535, 30000]);
    expect(result).toMatchObject({ status: "submitted", versionKey: "7" });
    expect(fake.extrinsics.at(-1)).toEqual({
      signer: signer.address,
      section: "subtensorModule",
      method: "setWeights",
      args: { netuid: 1, dests: [1, 2], weights: [65535, 30000], version_key: 7 },
    });
    fake.commitReveal = true;
    const declined = await chain.setWeights(signer, 1, [1], [65535]);
    fake.commitReveal = false;
    expect(declined.status).toBe("skipped");
    expect((declined as { reason: string }).reason).toMatch(/commit-reveal is on for subnet 1/);
    expect(fake.extrinsics).toHaveLength(1);
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
});
