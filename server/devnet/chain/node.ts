import type { Extrinsic } from "@polkadot/types/interfaces";
import type { Codec } from "@polkadot/types/types";
import { hexToU8a, u8aToHex, u8aToU8a } from "@polkadot/util";
import { blake2AsHex, decodeAddress } from "@polkadot/util-crypto";
import { sha256 } from "@noble/hashes/sha256";
import { WebSocketServer, type WebSocket } from "ws";
import { SimulatedBeacon, roundAt } from "../../chain/commit-reveal";
import { SimulatedWeights } from "./weights";
import { ChainRuntime, finneySpec424, type NodeNeuron } from "./runtime";
import { RpcError, handleRpc, notify, send } from "./rpc";

export type { NodeNeuron } from "./runtime";

/** A subnet as the devnet chain keeps it. */
export interface Subnet {
  netuid: number;
  tempo: number;
  commitReveal: boolean;
  weightsVersionKey: bigint;
  revealPeriodEpochs: number;
  mechanismCount: number;
  /** Blocks a hotkey waits between two `set_weights`. */
  weightsSetRateLimit: number;
  neurons: NodeNeuron[];
}

/** An extrinsic the node took: who signed it, what it called, and how its dispatch went. */
export interface ReceivedExtrinsic {
  signer: string;
  section: string;
  method: string;
  args: Record<string, unknown>;
  /** The sr25519 signature checked over the signing payload the node rebuilt. */
  signatureValid: boolean;
  block: number;
  /** The SubtensorModule error of its dispatch, or null. */
  error: string | null;
}

interface Pending {
  hex: string;
  ext: Extrinsic;
  watchers: Array<(update: unknown) => void>;
}

/** The largest timelocked commit the chain accepts (bytes). */
const MAX_COMMIT_BYTES = 5000;
/** Blocks with extrinsics kept for clients to read back (their body and events). */
const KEPT_BLOCKS = 2048;
/** Calls the devnet chain dispatches. */
const DISPATCHED = new Set([
  "setWeights",
  "commitTimelockedWeights",
  "commitTimelockedMechanismWeights",
  "serveAxon",
  "burnedRegister",
]);

export interface ChainNodeOptions {
  runtime?: ChainRuntime;
  /** The head when the node starts. */
  startBlock?: number;
  /** A block every so many ms; 0: a block only when asked or when an extrinsic arrives (tests). */
  blockTimeMs?: number;
  /** Blocks per epoch of new subnets. */
  tempo?: number;
  /** The drand beacon whose pulses the chain stores (its rounds decrypt timelocked commits). */
  beacon?: SimulatedBeacon;
  now?: () => number;
}

/**
 * A local subtensor chain: JSON-RPC over WebSocket on a real finney runtime's metadata (spec 424 V16 by
 * default), a block every `blockTimeMs`, subnets with neurons, storage and the neuron runtime API SCALE-
 * encoded with that metadata's types, extrinsics checked (signature, nonce) and dispatched in the next
 * block with their events (`ExtrinsicSuccess`, or `ExtrinsicFailed` with the module error): `set_weights`,
 * timelocked weights commits revealed with the drand beacon's pulses, `serve_axon`, `burned_register`.
 */
export class ChainNode {
  readonly runtime: ChainRuntime;
  readonly genesisHash: string;
  readonly subnets = new Map<number, Subnet>();
  readonly extrinsics: ReceivedExtrinsic[] = [];
  /** JSON-RPC methods called, in order (the newest 1,000). */
  readonly calls: string[] = [];
  readonly weights: SimulatedWeights;
  readonly beacon: SimulatedBeacon;
  block: number;
  port = 0;
  private wss: WebSocketServer | null = null;
  private sockets = new Set<WebSocket>();
  readonly headSubs = new Map<string, WebSocket>();
  private nextSub = 1;
  private blocks = new Map<string, { number: number; extrinsics: string[]; events: string }>();
  private pool: Pending[] = [];
  private finalizing: Array<() => void> = [];
  private nonces = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private anchor: { block: number; time: number } | null = null;
  private storageKeys: Map<string, (at?: string) => string | null> | null = null;
  protected readonly now: () => number;

  constructor(private opts: ChainNodeOptions = {}) {
    this.runtime = opts.runtime ?? new ChainRuntime(finneySpec424());
    this.genesisHash = blake2AsHex(`subnet-console devnet chain, spec ${this.runtime.spec.specVersion}`);
    this.block = opts.startBlock ?? 0;
    this.now = opts.now ?? Date.now;
    this.beacon =
      opts.beacon ?? new SimulatedBeacon("subnet-console devnet drand beacon", Math.floor(this.now() / 1000) - 3, 3);
    this.weights = new SimulatedWeights({
      tempo: opts.tempo ?? 10,
      now: this.now,
      beacon: this.beacon,
      isRegistered: async (netuid, hotkey) => !!this.neuron(netuid, hotkey),
    });
  }

  private blockListeners = new Set<(block: number) => void>();

  /** Calls `listener` with each new block's number. */
  onBlock(listener: (block: number) => void): () => void {
    this.blockListeners.add(listener);
    return () => this.blockListeners.delete(listener);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get blockTimeMs(): number {
    return this.opts.blockTimeMs ?? 0;
  }

  /** Adds a subnet (commit-reveal on, as on finney) and returns it. */
  addSubnet(netuid: number, settings: Partial<Omit<Subnet, "netuid">> = {}): Subnet {
    const s: Subnet = {
      netuid,
      tempo: this.opts.tempo ?? 10,
      commitReveal: true,
      weightsVersionKey: 0n,
      revealPeriodEpochs: 1,
      mechanismCount: 1,
      weightsSetRateLimit: 0,
      neurons: [],
      ...settings,
    };
    this.subnets.set(netuid, s);
    this.changed();
    return s;
  }

  /** Registers a hotkey on a subnet (genesis registrations of the devnet); an existing one is updated. */
  register(netuid: number, n: Omit<NodeNeuron, "uid">): NodeNeuron {
    const s = this.subnets.get(netuid) ?? this.addSubnet(netuid);
    const existing = s.neurons.find((x) => x.hotkey === n.hotkey);
    if (existing) return Object.assign(existing, n);
    const neuron = { ...n, uid: s.neurons.length };
    s.neurons.push(neuron);
    this.changed();
    return neuron;
  }

  neuron(netuid: number, hotkey: string): NodeNeuron | undefined {
    return this.subnets.get(netuid)?.neurons.find((n) => n.hotkey === hotkey);
  }

  /** Listens on `host:port`; with a block clock, blocks count from `startBlock` at `startTime` (ms, default now). */
  async start(port = 0, host = "127.0.0.1", startTime?: number): Promise<void> {
    this.wss = new WebSocketServer({ host, port, maxPayload: 4 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      this.wss!.once("listening", resolve);
      this.wss!.once("error", reject);
    });
    this.port = (this.wss.address() as { port: number }).port;
    this.wss.on("connection", (ws) => {
      this.sockets.add(ws);
      ws.on("close", () => {
        this.sockets.delete(ws);
        for (const [id, s] of this.headSubs) if (s === ws) this.headSubs.delete(id);
      });
      ws.on("message", (data) => this.onMessage(ws, String(data)));
    });
    if (this.blockTimeMs > 0) {
      this.anchor = { block: this.block, time: startTime ?? this.now() };
      this.tick();
    }
  }

  /** Closes the server and every connection (a node going away). */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    this.headSubs.clear();
    await new Promise<void>((r) => (this.wss ? this.wss.close(() => r()) : r()));
    this.wss = null;
  }

  /** Moves the head to `block` now (devnet control); the block clock continues from there. */
  setHead(block: number): void {
    this.block = block - 1;
    this.anchor = this.anchor && { block, time: this.now() };
    this.produceBlock();
  }

  /** Produces blocks up to the one the clock says, then sleeps until the next boundary. */
  private tick = (): void => {
    if (!this.anchor || !this.wss) return;
    const due = this.anchor.block + Math.floor((this.now() - this.anchor.time) / this.blockTimeMs);
    while (this.block < due) this.produceBlock();
    const next = this.anchor.time + (this.block - this.anchor.block + 1) * this.blockTimeMs;
    this.timer = setTimeout(this.tick, Math.max(1, next - this.now()));
    this.timer.unref();
  };

  header(n = this.block) {
    return {
      parentHash: blake2AsHex(String(n - 1)),
      number: "0x" + n.toString(16),
      stateRoot: blake2AsHex("state" + n),
      extrinsicsRoot: blake2AsHex("ext" + n),
      digest: { logs: [] },
    };
  }

  private hashes = new Map<number, string>();

  /** A block's hash, as clients compute it: blake2-256 of its SCALE header. */
  hashOf(n: number): string {
    if (n < 0) return u8aToHex(new Uint8Array(32));
    let h = this.hashes.get(n);
    if (!h) {
      h = this.runtime.registry.createType("Header", this.header(n)).hash.toHex();
      this.hashes.set(n, h);
      if (this.hashes.size > 4096) this.hashes.delete(this.hashes.keys().next().value!);
    }
    return h;
  }

  numberOf(hash: unknown): number {
    if (typeof hash !== "string") return this.block;
    const known = this.blocks.get(hash);
    if (known) return known.number;
    for (let n = this.block; n > this.block - 600 && n >= 0; n--) if (this.hashOf(n) === hash) return n;
    return this.block;
  }

  /** Produces a block with the waiting extrinsics, reveals what is due, and notifies head subscribers. */
  produceBlock(): string {
    this.block++;
    const included = this.pool;
    this.pool = [];
    const outcomes = included.map((p) => this.apply(p.ext));
    this.reveal(this.block);
    for (const l of this.blockListeners) l(this.block);
    const hash = this.hashOf(this.block);
    if (included.length) {
      this.blocks.set(hash, {
        number: this.block,
        extrinsics: included.map((p) => p.hex),
        events: this.runtime.events(outcomes),
      });
      if (this.blocks.size > KEPT_BLOCKS) this.blocks.delete(this.blocks.keys().next().value!);
    }
    const header = this.header();
    for (const [id, ws] of this.headSubs)
      send(ws, { jsonrpc: "2.0", method: "chain_newHead", params: { subscription: id, result: header } });
    this.notifyStorage(hash);
    // A block is final one block later (clients settle on `inBlock` first).
    for (const f of this.finalizing) f();
    this.finalizing = included.map((p) => () => p.watchers.forEach((w) => w({ finalized: hash })));
    for (const p of included) for (const w of p.watchers) w({ inBlock: hash });
    return hash;
  }

  /** Weights commits whose reveal epoch began: revealed weights count as the hotkey's last update. */
  private reveal(block: number): void {
    const waiting = this.weights.waiting.length;
    this.weights.onBlock(block);
    if (this.weights.waiting.length !== waiting) this.changed();
    for (const [key, w] of this.weights.weights) {
      if (w.block !== block) continue;
      const [netuid, hotkey] = key.split(":");
      const n = this.neuron(Number(netuid), hotkey!);
      if (n) n.lastUpdate = block;
    }
  }

  /** The newest drand round the chain has stored (its pulses arrive as the beacon publishes them). */
  lastStoredRound(): bigint {
    return BigInt(roundAt(this.beacon.network, this.now()));
  }

  blocksSinceLastStep(s: Subnet): number {
    return (this.block + s.netuid + 1) % (s.tempo + 1);
  }

  /** Checks an extrinsic at submission as a node's transaction pool does; throws an RpcError to refuse it. */
  submit(hex: string, watcher?: (update: unknown) => void): string {
    let ext: Extrinsic;
    try {
      ext = this.runtime.decodeExtrinsic(hex);
    } catch (e) {
      throw new RpcError(1002, "Verification Error: Runtime error: Could not decode", (e as Error).message);
    }
    const call = `${ext.method.section}.${ext.method.method}`;
    if (ext.method.section !== "subtensorModule" || !DISPATCHED.has(ext.method.method))
      throw new RpcError(1010, "Invalid Transaction", `the devnet chain does not dispatch ${call}`);
    if (!this.signatureValid(ext)) throw new RpcError(1010, "Invalid Transaction", "Transaction has a bad signature");
    const nonce = Number(ext.nonce.toString());
    if (nonce < (this.nonces.get(ext.signer.toString()) ?? 0))
      throw new RpcError(1010, "Invalid Transaction", "Transaction is outdated");
    if (ext.method.method.startsWith("commitTimelocked")) {
      const bytes = argBytes(ext.method.args[ext.method.method === "commitTimelockedWeights" ? 1 : 2]!);
      if (bytes.length > MAX_COMMIT_BYTES)
        throw new RpcError(
          1010,
          "Invalid Transaction",
          `a commit of ${bytes.length} bytes exceeds ${MAX_COMMIT_BYTES}`,
        );
    }
    this.pool.push({ hex, ext, watchers: watcher ? [watcher] : [] });
    watcher?.("ready");
    // Without a block clock, an extrinsic gets a block of its own at once.
    if (this.blockTimeMs === 0) setTimeout(() => this.pool.length && this.produceBlock(), 20);
    return blake2AsHex(u8aToU8a(hex));
  }

  protected signatureValid(ext: Extrinsic): boolean {
    return this.runtime.signatureValid(ext, this.genesisHash, (birth) => this.hashOf(birth(this.block)));
  }

  /** Dispatches one extrinsic in the current block: null, or the SubtensorModule error it failed with. */
  private apply(ext: Extrinsic): string | null {
    const signer = ext.signer.toString();
    this.nonces.set(signer, Math.max(this.nonces.get(signer) ?? 0, Number(ext.nonce.toString()) + 1));
    const error = this.dispatch(signer, ext.method.method, ext.method.args);
    this.extrinsics.push({
      signer,
      section: ext.method.section,
      method: ext.method.method,
      args: ext.method.toJSON().args as Record<string, unknown>,
      signatureValid: this.signatureValid(ext),
      block: this.block,
      error,
    });
    if (this.extrinsics.length > 1000) this.extrinsics.shift();
    this.changed();
    return error && this.runtime.hasError(error) ? error : error ? "BadRequest" : null;
  }

  /** The state transition of a call by `signer`: null, or the module error's name. */
  protected dispatch(signer: string, method: string, args: Codec[]): string | null {
    const netuid = num(args[0]!);
    const s = this.subnets.get(netuid);
    if (!s) return "SubnetNotExists";
    if (method === "burnedRegister") {
      const hotkey = args[1]!.toString();
      if (s.neurons.some((n) => n.hotkey === hotkey)) return "HotKeyAlreadyRegisteredInSubNet";
      this.register(netuid, { hotkey, coldkey: signer, validatorPermit: false, stake: 0n });
      return null;
    }
    const me = s.neurons.find((n) => n.hotkey === signer);
    if (!me) return "HotKeyNotRegisteredInSubNet";
    if (method === "serveAxon") {
      const port = num(args[3]!);
      if (port === 0) return "InvalidPort";
      me.ip = BigInt(args[2]!.toString());
      me.port = port;
      return null;
    }
    if (method === "setWeights") {
      const dests = (args[1] as unknown as Codec[]).map(num);
      const values = (args[2] as unknown as Codec[]).map(num);
      if (s.commitReveal) return "CommitRevealEnabled";
      if (BigInt(args[3]!.toString()) < s.weightsVersionKey) return "IncorrectWeightVersionKey";
      if (dests.length !== values.length) return "WeightVecNotEqualSize";
      if (new Set(dests).size !== dests.length) return "DuplicateUids";
      if (dests.some((u) => u >= s.neurons.length)) return "UidVecContainInvalidOne";
      if (me.lastUpdate && this.block - me.lastUpdate < s.weightsSetRateLimit) return "SettingWeightsTooFast";
      me.lastUpdate = this.block;
      this.weights.weights.set(`${netuid}:${signer}`, { uids: dests, values, block: this.block });
      return null;
    }
    // commit_timelocked_weights (netuid, commit, round, version) or the mechanism form (netuid, mecid, ...).
    const at = method === "commitTimelockedWeights" ? 1 : 2;
    if (!s.commitReveal) return "CommitRevealDisabled";
    return this.weights.commitNow(
      {
        who: signer,
        whoKey: decodeAddress(signer),
        netuid,
        inBlock: this.block,
        ciphertext: argBytes(args[at]!),
        round: num(args[at + 1]!),
      },
      num(args[at + 2]!),
      Number(this.lastStoredRound()),
    );
  }

  /** `state_getKeysPaged`: the keys under a prefix, in order, after `startKey`. */
  keysPaged(prefix: string, count: number, startKey?: string): string[] {
    if (!this.storageKeys) this.storageKeys = this.storageTable();
    return [...this.storageKeys.keys()]
      .filter((k) => k.startsWith(prefix) && (!startKey || k > startKey))
      .sort()
      .slice(0, Math.max(0, Math.min(count, 1000)));
  }

  /** Storage subscriptions: their keys and the values last sent. */
  private storageSubs = new Map<string, { ws: WebSocket; keys: string[]; sent: Array<string | null> }>();

  /** Subscribes a client to storage keys: their values now, and each change at a new block. */
  subscribeStorage(ws: WebSocket, id: string, keys: string[]): void {
    const sent = keys.map((k) => this.storage(k));
    this.storageSubs.set(id, { ws, keys, sent });
    notify(ws, "state_storage", id, { block: this.hashOf(this.block), changes: keys.map((k, i) => [k, sent[i]]) });
  }

  unsubscribeStorage(id: string): void {
    this.storageSubs.delete(id);
  }

  private notifyStorage(block: string): void {
    for (const [id, sub] of this.storageSubs) {
      if (sub.ws.readyState !== sub.ws.OPEN) {
        this.storageSubs.delete(id);
        continue;
      }
      const changes: Array<[string, string | null]> = [];
      sub.keys.forEach((k, i) => {
        const v = this.storage(k);
        if (v !== sub.sent[i]) changes.push([k, (sub.sent[i] = v)]);
      });
      if (changes.length) notify(sub.ws, "state_storage", id, { block, changes });
    }
  }

  /** A storage value at a block (state is the head's, except each block's own events). */
  storage(key: string, at?: string): string | null {
    if (!this.storageKeys) this.storageKeys = this.storageTable();
    return this.storageKeys.get(key)?.(at) ?? this.pulse(key);
  }

  private pulsesPrefix: string | null | undefined;

  /** `Drand.Pulses(round)` for every round stored so far: the beacon's signature and its sha256 randomness. */
  private pulse(key: string): string | null {
    if (this.pulsesPrefix === undefined)
      this.pulsesPrefix = this.runtime.key("drand", "pulses", 0)?.slice(0, 66) ?? null;
    // Blake2_128Concat of a u64: the prefix, 16 bytes of hash, then the round little-endian.
    if (!this.pulsesPrefix || !key.startsWith(this.pulsesPrefix) || key.length !== 66 + 32 + 16) return null;
    const round = Number(hexToU8a("0x" + key.slice(-16)).reduceRight((a, b) => a * 256n + BigInt(b), 0n));
    if (round < 1 || round > Number(this.lastStoredRound()) || this.runtime.key("drand", "pulses", round) !== key)
      return null;
    const signature = this.beacon.sign(round);
    return this.runtime.value("drand", "pulses", {
      round,
      randomness: u8aToHex(sha256(signature)),
      signature: u8aToHex(signature),
    });
  }

  private storageTable(): Map<string, (at?: string) => string | null> {
    const r = this.runtime;
    const m = "subtensorModule";
    const table = new Map<string, (at?: string) => string | null>();
    const put = (section: string, item: string, args: unknown[], value: () => unknown) => {
      const k = r.key(section, item, ...args);
      if (k) table.set(k, () => r.value(section, item, value()));
    };
    put(m, "commitRevealWeightsVersion", [], () => this.commitRevealVersion);
    put("drand", "lastStoredRound", [], () => this.lastStoredRound());
    // Clients read an account's next nonce from its AccountInfo.
    for (const [who, nonce] of this.nonces)
      put("system", "account", [who], () => ({ nonce, providers: 1, data: { free: 1_000_000_000_000n } }));
    const events = r.key("system", "events");
    if (events) table.set(events, (at) => (at && this.blocks.get(at)?.events) || "0x00");
    for (const s of this.subnets.values()) {
      const n = [s.netuid];
      put(m, "networksAdded", n, () => true);
      put(m, "subnetworkN", n, () => s.neurons.length);
      put(m, "commitRevealWeightsEnabled", n, () => s.commitReveal);
      put(m, "weightsVersionKey", n, () => s.weightsVersionKey);
      put(m, "tempo", n, () => s.tempo);
      put(m, "revealPeriodEpochs", n, () => s.revealPeriodEpochs);
      put(m, "blocksSinceLastStep", n, () => this.blocksSinceLastStep(s));
      put(m, "lastEpochBlock", n, () => this.block - this.blocksSinceLastStep(s));
      put(m, "mechanismCountCurrent", n, () => s.mechanismCount);
      put(m, "weightsSetRateLimit", n, () => s.weightsSetRateLimit);
      put(m, "lastUpdate", n, () => this.lastUpdates(s));
      for (const x of s.neurons) put(m, "uids", [s.netuid, x.hotkey], () => x.uid);
    }
    // TimelockedWeightCommits (netuid, epoch) -> [(who, commit block, ciphertext, round)].
    const commits = new Map<string, { netuid: number; epoch: number; list: unknown[] }>();
    for (const c of this.weights.waiting) {
      const k = `${c.netuid}:${c.epoch}`;
      const entry = commits.get(k) ?? commits.set(k, { netuid: c.netuid, epoch: c.epoch, list: [] }).get(k)!;
      // Bytes from a Uint8Array would be read as length-prefixed: the raw bytes go as hex.
      entry.list.push([c.who, c.inBlock, u8aToHex(c.ciphertext), c.round]);
    }
    for (const e of commits.values()) put(m, "timelockedWeightCommits", [e.netuid, e.epoch], () => e.list);
    return table;
  }

  /** `LastUpdate` of a subnet: the block of each uid's last weights. */
  protected lastUpdates(s: Subnet): bigint[] {
    return s.neurons.map((x) => BigInt(x.lastUpdate ?? 0));
  }

  /** Storage keys are rebuilt after a change to the subnets or their neurons. */
  changed(): void {
    this.storageKeys = null;
  }

  /** The version of commits the chain takes (`CommitRevealWeightsVersion`). */
  commitRevealVersion = 4;

  /** The neurons of a subnet as the neuron runtime API answers them (SCALE, hex). */
  neuronsLite(params: string): string {
    const netuid = this.runtime.registry.createType("u16", hexToU8a(params)).toNumber();
    return this.runtime.neuronsLite(netuid, this.subnets.get(netuid)?.neurons ?? []);
  }

  /** The next nonce of an account: one past its last included extrinsic. */
  nextIndex(address: string): number {
    return this.nonces.get(address) ?? 0;
  }

  blockBody(hash: unknown): { header: ReturnType<ChainNode["header"]>; extrinsics: string[] } {
    const n = this.numberOf(hash);
    return { header: this.header(n), extrinsics: this.blocks.get(this.hashOf(n))?.extrinsics ?? [] };
  }

  nextSubscription(): string {
    return String(this.nextSub++);
  }

  private onMessage(ws: WebSocket, text: string): void {
    handleRpc(this, ws, text);
  }
}

const num = (c: Codec) => Number(c.toString());
/** The raw bytes of a `Bytes` argument. */
const argBytes = (c: Codec) => (c as unknown as { toU8a(bare: boolean): Uint8Array }).toU8a(true);
