import { ApiPromise, WsProvider } from "@polkadot/api";
import { log } from "../log";
import { HeadFeed } from "./heads";
import { SUBTENSOR_RUNTIME, SUBTENSOR_TYPES, axonIpToString } from "./subtensor-types";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { Chain, ChainStatus, NeuronRecord, WeightsResult } from "./types";

interface NeuronLiteJson {
  hotkey: string;
  coldkey: string;
  uid: number;
  validatorPermit: boolean;
  stake: Array<[string, number | string]>;
  axonInfo: { ip: number | string; port: number; ipType: number };
}

/**
 * The live chain over @polkadot/api: follows new heads, reconnects with exponential backoff (1 s
 * doubling to 60 s) and reads the metagraph through the neuron runtime API.
 */
export class SubtensorChain implements Chain {
  readonly kind = "subtensor" as const;
  readonly feed = new HeadFeed();
  private provider: WsProvider | null = null;
  private api: ApiPromise | null = null;
  private unsubscribeHeads: (() => void) | null = null;
  private connected = false;
  private reconnects = 0;
  private lastError: string | null = null;
  private backoffMs = 1000;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private everConnected = false;

  constructor(private opts: { url: string; netuid: number; blockTimeMs: number }) {}

  async start(): Promise<void> {
    this.stopped = false;
    // Our own backoff instead of the provider's fixed-delay reconnect.
    this.provider = new WsProvider(this.opts.url, 0);
    this.provider.on("connected", () => this.onConnected());
    this.provider.on("disconnected", () => this.onDisconnected());
    this.provider.on("error", (e: unknown) => {
      this.lastError =
        e instanceof Error ? e.message : String((e as { message?: string })?.message ?? "connection error");
    });
    this.connectSoon(0);
  }

  private connectSoon(delay: number): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.stopped || !this.provider) return;
      this.provider.connect().catch((e: Error) => {
        this.lastError = e.message;
        this.scheduleReconnect();
      });
    }, delay);
    this.retryTimer.unref();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 60_000);
    this.connectSoon(delay);
  }

  private async onConnected(): Promise<void> {
    this.connected = true;
    this.backoffMs = 1000;
    if (this.everConnected) this.reconnects++;
    this.everConnected = true;
    log.info({ url: this.opts.url, reconnects: this.reconnects }, "chain connected");
    if (this.api) return; // ApiPromise resubscribes by itself on a reconnect
    try {
      this.api = await ApiPromise.create({
        provider: this.provider!,
        types: SUBTENSOR_TYPES,
        runtime: SUBTENSOR_RUNTIME,
        noInitWarn: true,
        throwOnConnect: false,
      });
      const unsub = await this.api.rpc.chain.subscribeNewHeads((header) => {
        this.feed.publish({ block: header.number.toNumber(), at: Date.now() });
      });
      this.unsubscribeHeads = unsub;
    } catch (e) {
      this.lastError = (e as Error).message;
      log.warn({ err: this.lastError }, "chain api initialisation failed");
    }
  }

  private onDisconnected(): void {
    if (this.connected) log.warn({ url: this.opts.url }, "chain disconnected");
    this.connected = false;
    this.scheduleReconnect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.unsubscribeHeads?.();
    const api = this.api;
    const provider = this.provider;
    this.api = null;
    this.provider = null;
    if (api) await api.disconnect().catch(() => undefined);
    else if (provider) await provider.disconnect().catch(() => undefined);
  }

  head(): number | null {
    return this.feed.recent().at(-1)?.block ?? null;
  }

  recentHeads() {
    return this.feed.recent();
  }

  onHead(listener: Parameters<Chain["onHead"]>[0]): () => void {
    return this.feed.subscribe(listener);
  }

  status(): ChainStatus {
    return {
      kind: "subtensor",
      endpoint: this.opts.url,
      netuid: this.opts.netuid,
      connected: this.connected,
      head: this.head(),
      lastHeadAt: this.feed.recent().at(-1)?.at ?? null,
      blockTimeMs: this.opts.blockTimeMs,
      reconnects: this.reconnects,
      lastError: this.lastError,
    };
  }

  async setWeights(signer: KeyringPair, netuid: number, uids: number[], weights: number[]): Promise<WeightsResult> {
    const api = this.api;
    if (!api || !this.connected) throw new Error("chain not connected");
    const commitReveal = (await api.query.subtensorModule.commitRevealWeightsEnabled(netuid)).toJSON();
    if (commitReveal === true) {
      return {
        status: "skipped",
        reason: `commit-reveal is on for subnet ${netuid}: weights must be committed with drand timelock encryption, which has no JavaScript library, so the console does not set them`,
      };
    }
    // u64: toString gives the decimal value (toJSON gives hex for 64-bit integers).
    const versionKey = (await api.query.subtensorModule.weightsVersionKey(netuid)).toString();
    const hash = await api.tx.subtensorModule.setWeights(netuid, uids, weights, versionKey).signAndSend(signer);
    return { status: "submitted", txHash: hash.toHex(), versionKey };
  }

  async fetchNeurons(netuid: number): Promise<NeuronRecord[]> {
    const api = this.api;
    if (!api || !this.connected) throw new Error("chain not connected");
    const result = await api.call.neuronInfoRuntimeApi.getNeuronsLite(netuid);
    const neurons = result.toJSON() as unknown as NeuronLiteJson[];
    return neurons.map((n) => ({
      uid: n.uid,
      hotkey: n.hotkey,
      coldkey: n.coldkey,
      validatorPermit: n.validatorPermit,
      stake: n.stake.reduce((sum, [, amount]) => sum + BigInt(amount), 0n).toString(),
      axonIp: axonIpToString(BigInt(n.axonInfo.ip), n.axonInfo.ipType),
      axonPort: axonIpToString(BigInt(n.axonInfo.ip), n.axonInfo.ipType) ? n.axonInfo.port : null,
    }));
  }
}
