import fs from "node:fs";
import path from "node:path";
import { Metadata, TypeRegistry } from "@polkadot/types";
import { u8aToHex } from "@polkadot/util";
import { blake2AsHex, xxhashAsHex } from "@polkadot/util-crypto";
import { WebSocketServer, type WebSocket } from "ws";
import { SUBTENSOR_TYPES } from "@/server/chain/subtensor-types";

const fixture = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, "../fixtures/subtensor-metadata-spec219.json"), "utf8"),
) as {
  metadata: string;
  genesisHash: string;
  specVersion: string;
};

export interface FakeNeuron {
  uid: number;
  hotkey: string;
  coldkey: string;
  validatorPermit: boolean;
  stake: bigint;
  ip?: bigint;
  port?: number;
}

/**
 * A subtensor node as far as @polkadot/api can tell: JSON-RPC over WebSocket serving the real spec 219
 * metadata, new heads on demand, and the neuron runtime API (state_call) encoded with SCALE.
 */
export class FakeSubtensor {
  private wss: WebSocketServer | null = null;
  private sockets = new Set<WebSocket>();
  private headSubs = new Map<string, WebSocket>();
  private nextSub = 1;
  readonly calls: string[] = [];
  readonly registry = new TypeRegistry();
  /** Extrinsics received through author_submitExtrinsic, decoded. */
  readonly extrinsics: Array<{ signer: string; section: string; method: string; args: Record<string, unknown> }> = [];
  block = 4_898_328;
  neurons: FakeNeuron[] = [];
  commitReveal = false;
  weightsVersionKey = 7n;
  port = 0;

  constructor() {
    this.registry.register(SUBTENSOR_TYPES as never);
    this.registry.setMetadata(new Metadata(this.registry, fixture.metadata as `0x${string}`));
  }

  /** The few storage values a validator reads; everything else is empty. */
  private storage(key: string): string | null {
    // Storage holds SCALE bytes (little-endian), not the codecs' display hex.
    if (key.startsWith(this.storagePrefix("CommitRevealWeightsEnabled")))
      return u8aToHex(this.registry.createType("bool", this.commitReveal).toU8a());
    if (key.startsWith(this.storagePrefix("WeightsVersionKey")))
      return u8aToHex(this.registry.createType("u64", this.weightsVersionKey).toU8a());
    return null;
  }

  private storagePrefix(item: string): string {
    return xxhashAsHex("SubtensorModule", 128) + xxhashAsHex(item, 128).slice(2);
  }

  get url() {
    return `ws://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<void> {
    this.wss = new WebSocketServer({ host: "127.0.0.1", port });
    await new Promise<void>((r) => this.wss!.once("listening", () => r()));
    this.port = (this.wss.address() as { port: number }).port;
    this.wss.on("connection", (ws) => {
      this.sockets.add(ws);
      ws.on("close", () => this.sockets.delete(ws));
      ws.on("message", (data) => this.onMessage(ws, String(data)));
    });
  }

  /** Closes the server and every connection (a node going away). */
  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    this.headSubs.clear();
    await new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r()));
    this.wss = null;
  }

  private header(n = this.block) {
    return {
      parentHash: blake2AsHex(String(n - 1)),
      number: "0x" + n.toString(16),
      stateRoot: blake2AsHex("state" + n),
      extrinsicsRoot: blake2AsHex("ext" + n),
      digest: { logs: [] },
    };
  }

  /** Produces a new block and notifies the head subscribers. */
  produceBlock(): void {
    this.block++;
    for (const [id, ws] of this.headSubs) {
      ws.send(
        JSON.stringify({
          jsonrpc: "2.0",
          method: "chain_newHead",
          params: { subscription: id, result: this.header() },
        }),
      );
    }
  }

  private runtimeVersion() {
    return {
      specName: "node-subtensor",
      implName: "node-subtensor",
      authoringVersion: 1,
      specVersion: Number(fixture.specVersion),
      implVersion: 1,
      apis: [[blake2AsHex("NeuronInfoRuntimeApi", 64), 1]],
      transactionVersion: 1,
      stateVersion: 1,
    };
  }

  private encodeNeurons(): string {
    return this.registry
      .createType(
        "Vec<NeuronInfoLite>",
        this.neurons.map((n) => ({
          hotkey: n.hotkey,
          coldkey: n.coldkey,
          uid: n.uid,
          netuid: 1,
          active: true,
          axonInfo: { block: 1, version: 1, ip: n.ip ?? 0n, port: n.port ?? 0, ipType: 4, protocol: 4 },
          prometheusInfo: { block: 0, version: 0, ip: 0, port: 0, ipType: 0 },
          stake: [[n.coldkey, n.stake]],
          validatorPermit: n.validatorPermit,
        })),
      )
      .toHex();
  }

  private onMessage(ws: WebSocket, text: string): void {
    const msg = JSON.parse(text) as { id: number; method: string; params: unknown[] };
    this.calls.push(msg.method);
    const reply = (result: unknown) => ws.send(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
    switch (msg.method) {
      case "chain_getBlockHash":
        return reply(msg.params?.[0] === 0 ? fixture.genesisHash : blake2AsHex(String(msg.params?.[0] ?? this.block)));
      case "chain_getHeader":
        return reply(this.header());
      case "chain_getFinalizedHead":
        return reply(blake2AsHex(String(this.block)));
      case "state_getRuntimeVersion":
        return reply(this.runtimeVersion());
      case "system_chain":
        return reply("Bittensor");
      case "system_name":
        return reply("node-subtensor");
      case "system_version":
        return reply("fake");
      case "system_properties":
        return reply({ ss58Format: 42, tokenDecimals: 9, tokenSymbol: "TAO" });
      case "system_health":
        return reply({ peers: 1, isSyncing: false, shouldHavePeers: true });
      case "rpc_methods":
        return reply({
          methods: [
            "chain_getBlockHash",
            "chain_getHeader",
            "chain_getFinalizedHead",
            "chain_subscribeNewHead",
            "chain_unsubscribeNewHead",
            "chain_subscribeNewHeads",
            "chain_unsubscribeNewHeads",
            "state_getRuntimeVersion",
            "state_getMetadata",
            "state_call",
            "state_subscribeRuntimeVersion",
            "state_unsubscribeRuntimeVersion",
            "system_chain",
            "system_properties",
            "system_health",
            "rpc_methods",
            "system_accountNextIndex",
            "author_submitExtrinsic",
            "state_getStorage",
            "state_queryStorageAt",
            "state_subscribeStorage",
            "state_unsubscribeStorage",
          ],
        });
      case "state_getMetadata":
        return reply(fixture.metadata);
      case "state_subscribeRuntimeVersion": {
        const id = String(this.nextSub++);
        reply(id);
        ws.send(
          JSON.stringify({
            jsonrpc: "2.0",
            method: "state_runtimeVersion",
            params: { subscription: id, result: this.runtimeVersion() },
          }),
        );
        return;
      }
      case "chain_subscribeNewHead":
      case "chain_subscribeNewHeads": {
        const id = String(this.nextSub++);
        this.headSubs.set(id, ws);
        reply(id);
        ws.send(
          JSON.stringify({
            jsonrpc: "2.0",
            method: "chain_newHead",
            params: { subscription: id, result: this.header() },
          }),
        );
        return;
      }
      case "chain_unsubscribeNewHead":
      case "chain_unsubscribeNewHeads":
        this.headSubs.delete(String(msg.params?.[0]));
        return reply(true);
      case "state_unsubscribeRuntimeVersion":
        return reply(true);
      case "state_getStorage":
        return reply(this.storage(String(msg.params?.[0] ?? "")));
      case "state_subscribeStorage": {
        const id = String(this.nextSub++);
        const keys = (msg.params?.[0] ?? []) as string[];
        reply(id);
        ws.send(
          JSON.stringify({
            jsonrpc: "2.0",
            method: "state_storage",
            params: {
              subscription: id,
              result: { block: blake2AsHex(String(this.block)), changes: keys.map((k) => [k, this.storage(k)]) },
            },
          }),
        );
        return;
      }
      case "state_unsubscribeStorage":
        return reply(true);
      case "state_queryStorageAt": {
        const keys = (msg.params?.[0] ?? []) as string[];
        return reply([{ block: blake2AsHex(String(this.block)), changes: keys.map((k) => [k, this.storage(k)]) }]);
      }
      case "system_accountNextIndex":
        return reply(0);
      case "author_submitExtrinsic": {
        const ext = this.registry.createType("Extrinsic", msg.params?.[0] as string);
        this.extrinsics.push({
          signer: ext.signer.toString(),
          section: ext.method.section,
          method: ext.method.method,
          args: ext.method.toJSON().args as Record<string, unknown>,
        });
        return reply(blake2AsHex(msg.params?.[0] as string));
      }
      case "state_call":
        if (msg.params?.[0] === "NeuronInfoRuntimeApi_get_neurons_lite") return reply(this.encodeNeurons());
        return ws.send(
          JSON.stringify({
            jsonrpc: "2.0",
            id: msg.id,
            error: { code: -32000, message: `unknown runtime call ${msg.params?.[0]}` },
          }),
        );
      default:
        ws.send(
          JSON.stringify({
            jsonrpc: "2.0",
            id: msg.id,
            error: { code: -32601, message: `Method not found: ${msg.method}` },
          }),
        );
    }
  }
}
