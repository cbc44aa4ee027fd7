import { ApiPromise, WsProvider } from "@polkadot/api";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubtensorChain } from "@/server/chain/subtensor";
import { SUBTENSOR_RUNTIME, SUBTENSOR_TYPES } from "@/server/chain/subtensor-types";
import { ChainNode } from "@/server/devnet/chain/node";
import { verifyPulse } from "@/server/chain/commit-reveal";

async function until<T>(what: string, fn: () => Promise<T | null | false> | T | null | false, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Sends an extrinsic and resolves with its block's dispatch outcome: "ok" or the module error's name. */
function dispatch(api: ApiPromise, tx: SubmittableExtrinsic<"promise">, signer: KeyringPair): Promise<string> {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, ({ status, dispatchError }) => {
      if (!status.isInBlock) return;
      resolve(dispatchError?.isModule ? api.registry.findMetaError(dispatchError.asModule).name : "ok");
    }).catch(reject);
  });
}

describe("the devnet chain node, as @polkadot/api and the console's chain see it", () => {
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  let node: ChainNode;
  let chain: SubtensorChain;
  let api: ApiPromise;
  let validator: KeyringPair;
  let miner: KeyringPair;

  beforeAll(async () => {
    await cryptoWaitReady();
    validator = keyring.addFromUri("//node-test-validator");
    miner = keyring.addFromUri("//node-test-miner");
    node = new ChainNode({ blockTimeMs: 250, tempo: 9, startBlock: 1000 });
    for (const [netuid, commitReveal] of [
      [2, false],
      [3, true],
    ] as const) {
      node.addSubnet(netuid, { commitReveal });
      node.register(netuid, {
        hotkey: validator.address,
        coldkey: validator.address,
        validatorPermit: true,
        stake: 10n ** 12n,
      });
      node.register(netuid, {
        hotkey: miner.address,
        coldkey: miner.address,
        validatorPermit: false,
        stake: 0n,
        ip: 2130706433n,
        port: 9000 + netuid,
      });
    }
    await node.start();
    chain = new SubtensorChain({ url: node.url, netuid: 2, blockTimeMs: 250, drand: node.beacon.network });
    await chain.start();
    api = await ApiPromise.create({
      provider: new WsProvider(node.url),
      types: SUBTENSOR_TYPES,
      runtime: SUBTENSOR_RUNTIME,
      noInitWarn: true,
    });
  });

  afterAll(async () => {
    await api?.disconnect();
    await chain?.stop();
    await node?.stop();
  });

  it("produces a block every BLOCK_TIME_MS and the console follows them", async () => {
    const first = await until("a head", () => chain.head());
    await until("three more heads", () => (chain.head() ?? 0) >= first + 3);
    expect(chain.status()).toMatchObject({ kind: "subtensor", connected: true });
    expect(Math.abs(chain.head()! - node.block)).toBeLessThanOrEqual(1);
  });

  it("serves each subnet's own neurons through the neuron runtime API", async () => {
    const two = await chain.fetchNeurons(2);
    expect(two.map((n) => [n.uid, n.hotkey, n.validatorPermit, n.axonIp, n.axonPort])).toEqual([
      [0, validator.address, true, null, null],
      [1, miner.address, false, "127.0.0.1", 9002],
    ]);
    expect((await chain.fetchNeurons(3)).map((n) => n.axonPort)).toEqual([null, 9003]);
    expect(await chain.fetchNeurons(9)).toEqual([]);
  });

  it("dispatches set_weights where commit-reveal is off: LastUpdate moves to its block", async () => {
    const r = await chain.setWeights(validator, 2, [0, 1], [1000, 65535]);
    expect(r).toMatchObject({ status: "set", versionKey: "0" });
    const inBlock = (r as { inBlock: number }).inBlock;
    expect(node.neuron(2, validator.address)!.lastUpdate).toBe(inBlock);
    expect(node.extrinsics.at(-1)).toMatchObject({ method: "setWeights", signatureValid: true, error: null });
    expect((await chain.fetchNeurons(2))[0]!.lastUpdate).toBe(inBlock);
  });

  it("takes a timelocked commit where commit-reveal is on and reveals it with the beacon's pulse in the reveal epoch", async () => {
    const r = await chain.setWeights(validator, 3, [1], [65535]);
    expect(r).toMatchObject({ status: "committed" });
    const c = r as { inBlock: number; revealBlock: number; revealRound: number };
    expect(await chain.revealOutcome(3, validator.address, c)).toEqual({ state: "pending" });
    // The commit waits in TimelockedWeightCommits (netuid, epoch), as clients read it on finney.
    const waiting = await api.query.subtensorModule.timelockedWeightCommits.entries(3);
    expect(waiting).toHaveLength(1);
    const [[who, inBlock, , round]] = waiting[0]![1] as unknown as Array<[unknown, unknown, unknown, unknown]>;
    expect([String(who), Number(String(inBlock)), Number(String(round))]).toEqual([
      validator.address,
      c.inBlock,
      c.revealRound,
    ]);
    const outcome = await until("the reveal", async () => {
      const o = await chain.revealOutcome(3, validator.address, c);
      return o.state === "pending" ? null : o;
    });
    expect(outcome).toMatchObject({ state: "revealed" });
    expect(await api.query.subtensorModule.timelockedWeightCommits.entries(3)).toHaveLength(0);
    expect(node.weights.weights.get(`3:${validator.address}`)).toMatchObject({ uids: [1], values: [65535] });
    // The chain stores the beacon's pulses: the round's signature verifies against the beacon's key.
    const pulse = (await api.query.drand.pulses(c.revealRound)).toJSON() as { round: number; signature: string };
    expect(pulse.round).toBe(c.revealRound);
    expect(verifyPulse(node.beacon.network, c.revealRound, pulse.signature.slice(2))).toBe(true);
    expect((await api.query.drand.pulses(c.revealRound + 10_000)).toJSON()).toBeNull();
  });

  it("answers module errors in ExtrinsicFailed: set_weights under commit-reveal, a stranger's axon, a second registration", async () => {
    expect(await dispatch(api, api.tx.subtensorModule.setWeights(3, [1], [1], 0), validator)).toBe(
      "CommitRevealEnabled",
    );
    const stranger = keyring.addFromUri("//node-test-stranger");
    const serve = api.tx.subtensorModule.serveAxon(2, 1, 2130706433n, 8091, 4, 4, 0, 0);
    expect(await dispatch(api, serve, stranger)).toBe("HotKeyNotRegisteredInSubNet");
    expect(await dispatch(api, api.tx.subtensorModule.burnedRegister(2, stranger.address), stranger)).toBe("ok");
    expect(await dispatch(api, api.tx.subtensorModule.burnedRegister(2, stranger.address), stranger)).toBe(
      "HotKeyAlreadyRegisteredInSubNet",
    );
    expect(await dispatch(api, api.tx.subtensorModule.serveAxon(2, 1, 2130706433n, 8091, 4, 4, 0, 0), stranger)).toBe(
      "ok",
    );
    expect((await chain.fetchNeurons(2)).at(-1)).toMatchObject({ uid: 2, hotkey: stranger.address, axonPort: 8091 });
  });

  it("refuses at submission an extrinsic with a bad signature, and calls it does not dispatch", async () => {
    const tx = api.tx.subtensorModule.setWeights(2, [1], [1], 0);
    await tx.signAsync(validator);
    const bytes = tx.toU8a();
    // The signature sits after the length, version byte, and the signer's MultiAddress (1 + 32 bytes).
    const at = bytes.length - tx.method.toU8a().length - 40;
    bytes[at] ^= 0xff;
    await expect(api.rpc.author.submitExtrinsic(bytes)).rejects.toThrow(
      /1010: Invalid Transaction: Transaction has a bad signature/,
    );
    const remark = api.tx.system.remark("0x00");
    await expect(remark.signAndSend(validator)).rejects.toThrow(/does not dispatch system\.remark/);
  });

  it("answers JSON-RPC errors, not a crash, to what is not a request", async () => {
    const ws = new (await import("ws")).WebSocket(node.url);
    await new Promise((r) => ws.once("open", r));
    const answers: unknown[] = [];
    ws.on("message", (d) => answers.push(JSON.parse(String(d))));
    ws.send("not json");
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "no_such_method", params: [] }));
    ws.send(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "devnet_setHead", params: ["x"] }));
    await until("three answers", () => answers.length >= 3);
    ws.close();
    expect(answers).toEqual([
      { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } },
      { jsonrpc: "2.0", id: 1, error: { code: -32601, message: "Method not found: no_such_method" } },
      { jsonrpc: "2.0", id: 2, error: { code: -32602, message: "Invalid params: a block number" } },
    ]);
  });
});
