import fs from "node:fs";
import path from "node:path";
import { Metadata, TypeRegistry } from "@polkadot/types";
import { expandMetadata } from "@polkadot/types/metadata";
import { compactAddLength, compactStripLength, u8aConcat, u8aToHex, u8aToU8a } from "@polkadot/util";
import { blake2AsHex, blake2AsU8a, signatureVerify } from "@polkadot/util-crypto";
import { WebSocketServer, type WebSocket } from "ws";
import { SUBTENSOR_TYPES } from "@/server/chain/subtensor-types";

const FIXTURES = path.resolve(__dirname, "../fixtures/chain");
/** finney's genesis hash. */
const GENESIS_HASH = "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03";
/** What finney answered at block 6,852,690 (spec 343): runtime version, head and netuid 1's neurons. */
export const FINNEY_RECORDING = JSON.parse(
  fs.readFileSync(path.join(FIXTURES, "finney-netuid1-spec343.json"), "utf8"),
) as {
  runtimeVersion: { specVersion: number; apis: Array<[string, number]> } & Record<string, unknown>;
  header: Record<string, unknown>;
  blockHash: string;
  block: number;
  neuronsLite: { params: string; result: string };
};

/** Real finney runtimes: their metadata as nodes serve it. */
const RUNTIMES = {
  /** Before metadata V15: the runtime API is not in the metadata, and its answer is bytes wrapping the list. */
  219: {
    version: 14,
    metadata: () =>
      (JSON.parse(fs.readFileSync(path.join(FIXTURES, "finney-spec219-v14.json"), "utf8")) as { metadata: string })
        .metadata,
  },
  343: { version: 15, metadata: () => fs.readFileSync(path.join(FIXTURES, "finney-spec343-v15.hex"), "utf8").trim() },
  424: { version: 16, metadata: () => u8aToHex(fs.readFileSync(path.join(FIXTURES, "finney-spec424-v16.scale"))) },
} as const;
export type FakeSpec = keyof typeof RUNTIMES;

export interface FakeNeuron {
  uid: number;
  hotkey: string;
  coldkey: string;
  validatorPermit: boolean;
  stake: bigint;
  ip?: bigint;
  port?: number;
  /** u16 shares and per-epoch emission as NeuronInfoLite carries them. */
  incentive?: number;
  dividends?: number;
  emission?: bigint;
  lastUpdate?: number;
}

export interface ReceivedExtrinsic {
  signer: string;
  section: string;
  method: string;
  args: Record<string, unknown>;
  /** The sr25519 signature checked over the signing payload the node rebuilt. */
  signatureValid: boolean;
  block: number;
}

type Reply = (result: unknown) => void;

/**
 * A subtensor node as far as @polkadot/api can tell, on a real finney runtime's metadata (spec 343 V15 or
 * spec 424 V16): JSON-RPC over WebSocket, new heads on demand, storage and the neuron runtime API SCALE-
 * encoded with that metadata's own types, and extrinsics watched into a block with their events
 * (`ExtrinsicSuccess`, or `ExtrinsicFailed` with a module error) after their signature is checked.
 */
export class FakeSubtensor {
  private wss: WebSocketServer | null = null;
  private sockets = new Set<WebSocket>();
  private headSubs = new Map<string, WebSocket>();
  private nextSub = 1;
  readonly calls: string[] = [];
  readonly registry = new TypeRegistry();
  readonly metadata: Metadata;
  private readonly metadataHex: string;
  private readonly decorated: ReturnType<typeof expandMetadata>;
  readonly extrinsics: ReceivedExtrinsic[] = [];
  /** Blocks with their extrinsics and encoded events, by hash. */
  private blocks = new Map<string, { number: number; extrinsics: string[]; events: string }>();
  block = 4_898_328;
  neurons: FakeNeuron[] = [];
  /** Serve finney's recorded answer for netuid 1 instead of `neurons`. */
  replayFinney = false;
  commitReveal = false;
  weightsVersionKey = 7n;
  commitRevealVersion = 4;
  tempo = 99;
  revealPeriodEpochs = 1n;
  blocksSinceLastStep = 40n;
  mechanismCount = 1;
  lastStoredRound = 0n;
  /** LastUpdate of netuid 1, per uid. */
  lastUpdate: bigint[] = [];
  /** The SubtensorModule error the next extrinsic fails with at dispatch. */
  failNext: string | null = null;
  port = 0;

  constructor(readonly spec: FakeSpec = 343) {
    this.metadataHex = RUNTIMES[spec].metadata();
    if (spec === 219) this.registry.register(SUBTENSOR_TYPES as never);
    this.metadata = new Metadata(this.registry, this.metadataHex as `0x${string}`);
    this.registry.setMetadata(this.metadata);
    this.decorated = expandMetadata(this.registry, this.metadata);
  }

  /** A storage item's key, or null where this runtime has no such item. */
  private key(section: string, item: string, ...args: unknown[]): string | null {
    const entry = (this.decorated.query as unknown as Record<string, Record<string, (...a: unknown[]) => Uint8Array>>)[
      section
    ]?.[item];
    return entry ? u8aToHex(compactStripLength(entry(...args))[1]) : null;
  }

  /** SCALE of a storage value, by the item's own type in the metadata. */
  private value(section: string, item: string, value: unknown): string {
    const entry = (
      this.decorated.query as unknown as Record<
        string,
        Record<string, { meta: { type: { isPlain: boolean; asPlain: unknown; asMap: { value: unknown } } } }>
      >
    )[section]![item]!;
    const t = entry.meta.type;
    const id = t.isPlain ? t.asPlain : t.asMap.value;
    return u8aToHex(this.registry.createType(this.registry.createLookupType(id as never), value).toU8a());
  }

  private storage(key: string, at?: string): string | null {
    const s = "subtensorModule";
    const table: Array<[string | null, () => string | null]> = [
      [
        this.key(s, "commitRevealWeightsEnabled", 1),
        () => this.value(s, "commitRevealWeightsEnabled", this.commitReveal),
      ],
      [this.key(s, "weightsVersionKey", 1), () => this.value(s, "weightsVersionKey", this.weightsVersionKey)],
      [
        this.key(s, "commitRevealWeightsVersion"),
        () => this.value(s, "commitRevealWeightsVersion", this.commitRevealVersion),
      ],
      [this.key(s, "tempo", 1), () => this.value(s, "tempo", this.tempo)],
      [this.key(s, "revealPeriodEpochs", 1), () => this.value(s, "revealPeriodEpochs", this.revealPeriodEpochs)],
      [this.key(s, "blocksSinceLastStep", 1), () => this.value(s, "blocksSinceLastStep", this.blocksSinceLastStep)],
      [this.key(s, "mechanismCountCurrent", 1), () => this.value(s, "mechanismCountCurrent", this.mechanismCount)],
      [this.key(s, "lastUpdate", 1), () => this.value(s, "lastUpdate", this.lastUpdate)],
      [this.key("drand", "lastStoredRound"), () => this.value("drand", "lastStoredRound", this.lastStoredRound)],
      [this.key("system", "events"), () => this.eventsAt(at)],
      ...this.neurons.map(
        (n) => [this.key(s, "uids", 1, n.hotkey), () => this.value(s, "uids", n.uid)] as [string | null, () => string],
      ),
    ];
    return table.find(([k]) => k !== null && k === key)?.[1]() ?? null;
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

  /** A block's hash, as clients compute it: blake2-256 of its SCALE header. */
  hashOf(n: number): string {
    if (n < 0) return u8aToHex(new Uint8Array(32));
    return this.registry.createType("Header", this.header(n)).hash.toHex();
  }

  private numberOf(hash: unknown): number {
    if (typeof hash !== "string") return this.block;
    const known = [...this.blocks.values()].find((b) => this.hashOf(b.number) === hash);
    if (known) return known.number;
    for (let n = this.block; n > this.block - 300; n--) if (this.hashOf(n) === hash) return n;
    return this.block;
  }

  /** Produces a new block and notifies the head subscribers. */
  produceBlock(extrinsics: string[] = [], events = "0x00"): string {
    this.block++;
    const hash = this.hashOf(this.block);
    this.blocks.set(hash, { number: this.block, extrinsics, events });
    for (const [id, ws] of this.headSubs) {
      ws.send(
        JSON.stringify({
          jsonrpc: "2.0",
          method: "chain_newHead",
          params: { subscription: id, result: this.header() },
        }),
      );
    }
    return hash;
  }

  private eventsAt(at?: string): string {
    return (at && this.blocks.get(at)?.events) || "0x00";
  }

  private runtimeVersion() {
    return { ...FINNEY_RECORDING.runtimeVersion, specVersion: this.spec };
  }

  /** The neuron runtime API's answer: this node's neurons encoded with the metadata's own `NeuronInfoLite`. */
  private encodeNeurons(params: string): string {
    if (this.replayFinney && params === "0x" + FINNEY_RECORDING.neuronsLite.params.replace(/^0x/, "")) {
      return FINNEY_RECORDING.neuronsLite.result;
    }
    const api = this.metadata.asLatest.apis.find((a) => a.name.toString() === "NeuronInfoRuntimeApi");
    const method = api?.methods.find((m) => m.name.toString() === "get_neurons_lite");
    const list = this.registry
      .createType(
        method ? this.registry.createLookupType(method.output) : "Vec<NeuronInfoLite>",
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
          incentive: n.incentive ?? 0,
          dividends: n.dividends ?? 0,
          emission: n.emission ?? 0n,
          lastUpdate: n.lastUpdate ?? 0,
        })),
      )
      .toU8a();
    return u8aToHex(method ? list : compactAddLength(list));
  }

  /** Checks an extrinsic's sr25519 signature over the payload rebuilt from it and this chain's state. */
  private signatureValid(ext: ReturnType<TypeRegistry["createType"]> & Record<string, never>): boolean {
    const e = ext as unknown as {
      isSigned: boolean;
      era: { isMortalEra: boolean; asMortalEra: { birth(n: number): number } };
      nonce: unknown;
      tip: unknown;
      method: { toHex(): string };
      signer: { toString(): string };
      signature: { toU8a(): Uint8Array };
      inner: { signature: { mode?: unknown } };
    };
    if (!e.isSigned) return false;
    const blockHash = e.era.isMortalEra ? this.hashOf(e.era.asMortalEra.birth(this.block)) : GENESIS_HASH;
    const payload = this.registry.createType("ExtrinsicPayload", {
      method: e.method.toHex(),
      era: e.era,
      nonce: e.nonce,
      tip: e.tip,
      mode: e.inner.signature.mode ?? 0,
      specVersion: this.spec,
      transactionVersion: FINNEY_RECORDING.runtimeVersion.transactionVersion,
      genesisHash: GENESIS_HASH,
      blockHash,
    });
    let message = payload.toU8a({ method: true });
    if (message.length > 256) message = blake2AsU8a(message, 256);
    return signatureVerify(message, e.signature.toU8a(), e.signer.toString()).isValid;
  }

  /** Puts an extrinsic into a new block with its events: ExtrinsicSuccess, or ExtrinsicFailed with `failNext`. */
  private include(hex: string): string {
    const ext = this.registry.createType("Extrinsic", hex);
    const failure = this.failNext;
    this.failNext = null;
    this.extrinsics.push({
      signer: ext.signer.toString(),
      section: ext.method.section,
      method: ext.method.method,
      args: ext.method.toJSON().args as Record<string, unknown>,
      signatureValid: this.signatureValid(ext as never),
      block: this.block + 1,
    });
    const sys = this.decorated.events.system;
    const info = { weight: { refTime: 0, proofSize: 0 }, class: "Normal", paysFee: "Yes" };
    const field = (meta: { fields: Array<{ type: unknown }> }, i: number, v: unknown) =>
      this.registry.createType(this.registry.createLookupType(meta.fields[i]!.type as never), v).toU8a();
    let event: Uint8Array;
    if (failure) {
      const m = sys.ExtrinsicFailed.meta as never as {
        index: { toNumber(): number };
        fields: Array<{ type: unknown }>;
      };
      const err = this.decorated.errors.subtensorModule[failure]!;
      const error = new Uint8Array(4);
      error[0] = err.meta.index.toNumber();
      event = u8aConcat(
        [this.palletIndex("System"), m.index.toNumber()],
        field(m, 0, { Module: { index: this.palletIndex("SubtensorModule"), error } }),
        field(m, 1, info),
      );
    } else {
      const m = sys.ExtrinsicSuccess.meta as never as {
        index: { toNumber(): number };
        fields: Array<{ type: unknown }>;
      };
      event = u8aConcat([this.palletIndex("System"), m.index.toNumber()], field(m, 0, info));
    }
    // Vec<EventRecord>: one record, phase ApplyExtrinsic(0), no topics.
    const record = u8aConcat([0x00, 0, 0, 0, 0], event, [0x00]);
    return this.produceBlock([hex], u8aToHex(u8aConcat([0x04], record)));
  }

  private palletIndex(name: string): number {
    return this.metadata.asLatest.pallets.find((p) => p.name.toString() === name)!.index.toNumber();
  }

  private onMessage(ws: WebSocket, text: string): void {
    const msg = JSON.parse(text) as { id: number; method: string; params: unknown[] };
    this.calls.push(msg.method);
    const reply: Reply = (result) => ws.send(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
    const notify = (method: string, subscription: string, result: unknown) =>
      ws.send(JSON.stringify({ jsonrpc: "2.0", method, params: { subscription, result } }));
    const error = (code: number, message: string) =>
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: msg.id, error: { code, message } }));
    const p = msg.params ?? [];
    switch (msg.method) {
      case "chain_getBlockHash":
        return reply(p[0] === 0 ? GENESIS_HASH : this.hashOf(typeof p[0] === "number" ? p[0] : this.block));
      case "chain_getHeader":
        return reply(this.header(this.numberOf(p[0])));
      case "chain_getBlock": {
        const n = this.numberOf(p[0]);
        const b = this.blocks.get(this.hashOf(n));
        return reply({ block: { header: this.header(n), extrinsics: b?.extrinsics ?? [] }, justifications: null });
      }
      case "chain_getFinalizedHead":
        return reply(this.hashOf(this.block));
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
        return reply({ methods: [...HANDLED] });
      case "state_getMetadata":
        return reply(this.metadataHex);
      case "state_subscribeRuntimeVersion": {
        const id = String(this.nextSub++);
        reply(id);
        return notify("state_runtimeVersion", id, this.runtimeVersion());
      }
      case "chain_subscribeNewHead":
      case "chain_subscribeNewHeads": {
        const id = String(this.nextSub++);
        this.headSubs.set(id, ws);
        reply(id);
        return notify("chain_newHead", id, this.header());
      }
      case "chain_unsubscribeNewHead":
      case "chain_unsubscribeNewHeads":
        this.headSubs.delete(String(p[0]));
        return reply(true);
      case "state_unsubscribeRuntimeVersion":
      case "state_unsubscribeStorage":
      case "author_unwatchExtrinsic":
        return reply(true);
      case "state_getStorage":
        return reply(this.storage(String(p[0] ?? ""), p[1] as string | undefined));
      case "state_getKeysPaged":
        return reply([]);
      case "state_subscribeStorage": {
        const id = String(this.nextSub++);
        const keys = (p[0] ?? []) as string[];
        reply(id);
        return notify("state_storage", id, {
          block: this.hashOf(this.block),
          changes: keys.map((k) => [k, this.storage(k)]),
        });
      }
      case "state_queryStorageAt": {
        const keys = (p[0] ?? []) as string[];
        const at = p[1] as string | undefined;
        return reply([{ block: at ?? this.hashOf(this.block), changes: keys.map((k) => [k, this.storage(k, at)]) }]);
      }
      case "system_accountNextIndex":
        return reply(0);
      case "author_submitAndWatchExtrinsic": {
        const id = String(this.nextSub++);
        const hex = String(p[0]);
        reply(id);
        notify("author_extrinsicUpdate", id, "ready");
        setTimeout(() => notify("author_extrinsicUpdate", id, { inBlock: this.include(hex) }), 20);
        return;
      }
      case "author_submitExtrinsic":
        this.include(String(p[0]));
        return reply(blake2AsHex(u8aToU8a(String(p[0]))));
      case "state_call": {
        const [method, params] = p as [string, string];
        if (method === "NeuronInfoRuntimeApi_get_neurons_lite") return reply(this.encodeNeurons(params));
        if (method === "Metadata_metadata_versions") {
          return reply(this.registry.createType("Vec<u32>", [14, RUNTIMES[this.spec].version]).toHex());
        }
        if (method === "Metadata_metadata_at_version") {
          const version = this.registry.createType("u32", params).toNumber();
          if (version !== RUNTIMES[this.spec].version) return reply("0x00");
          return reply(u8aToHex(u8aConcat([0x01], compactAddLength(u8aToU8a(this.metadataHex)))));
        }
        return error(-32000, `unknown runtime call ${method}`);
      }
      default:
        return error(-32601, `Method not found: ${msg.method}`);
    }
  }
}

const HANDLED = [
  "chain_getBlockHash",
  "chain_getHeader",
  "chain_getBlock",
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
  "author_submitAndWatchExtrinsic",
  "author_unwatchExtrinsic",
  "state_getStorage",
  "state_getKeysPaged",
  "state_queryStorageAt",
  "state_subscribeStorage",
  "state_unsubscribeStorage",
];
