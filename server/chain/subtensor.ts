import { ApiPromise, WsProvider } from "@polkadot/api";
import { log } from "../log";
import { HeadFeed } from "./heads";
import { SUBTENSOR_RUNTIME, SUBTENSOR_SIGNED_EXTENSIONS, SUBTENSOR_TYPES, axonIpToString } from "./subtensor-types";
import { compactFromU8a, stringUpperFirst, u8aToHex } from "@polkadot/util";
import type { SubmittableExtrinsic } from "@polkadot/api/types";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { Option, u16, u64 } from "@polkadot/types";
import type { ISubmittableResult } from "@polkadot/types/types";
import {
  COMMIT_REVEAL_VERSION,
  MAX_UNREVEALED_COMMITS,
  QUICKNET,
  timelockedCommit,
  type DrandNetwork,
} from "./commit-reveal";
import type { Chain, ChainStatus, NeuronRecord, RevealOutcome, WeightsResult } from "./types";

const SUBMIT_TIMEOUT_MS = 120_000;

/** The content of a SCALE `Vec<u8>` answer: without its length prefix where the bytes still carry it. */
function unwrapBytes(bytes: Uint8Array): Uint8Array {
  const [offset, length] = compactFromU8a(bytes);
  return offset + length.toNumber() === bytes.length ? bytes.subarray(offset) : bytes;
}

interface NeuronLiteJson {
  hotkey: string;
  coldkey: string;
  uid: number;
  validatorPermit: boolean;
  stake: Array<[string, number | string]>;
  axonInfo: { ip: number | string; port: number; ipType: number };
  incentive: number;
  consensus: number;
  trust: number;
  validatorTrust: number;
  dividends: number;
  emission: number | string;
  lastUpdate: number | string;
}

/** A u16 share (0..65535) as a fraction. */
const share = (v: number) => v / 65535;

/**
 * The live chain over @polkadot/api: follows new heads, reconnects with exponential backoff (1 s
 * doubling to 60 s) and reads the metagraph through the neuron runtime API.
 */
export class SubtensorChain implements Chain {
  readonly kind: "devnet" | "subtensor";
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

  /** Moves the head: only on the devnet's chain (devnet control and tests). */
  readonly setHead?: (block: number) => Promise<void>;

  constructor(
    private opts: {
      url: string;
      netuid: number;
      blockTimeMs: number;
      drand?: DrandNetwork;
      /** The devnet's control of its chain's clock (given: this is the devnet's own chain). */
      setHead?: (block: number) => Promise<void>;
      /** Wall-clock ms (the drand round a commit targets follows it). */
      now?: () => number;
    },
  ) {
    this.kind = opts.setHead ? "devnet" : "subtensor";
    const move = opts.setHead;
    if (move)
      this.setHead = async (block) => {
        await move(block);
        // The new head arrives over the subscription: wait for it (a few ms), so the caller reads it at once.
        const deadline = Date.now() + 5000;
        while (this.head() !== block && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      };
  }

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
        signedExtensions: SUBTENSOR_SIGNED_EXTENSIONS,
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
      kind: this.kind,
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
    const api = this.connectedApi();
    const q = api.query.subtensorModule;
    const [commitReveal, versionKeyCodec, mechanisms, mine, rateLimit] = await Promise.all([
      q.commitRevealWeightsEnabled(netuid),
      q.weightsVersionKey(netuid),
      q.mechanismCountCurrent ? q.mechanismCountCurrent(netuid) : null,
      this.lastWeightsOf(api, netuid, signer.address),
      q.weightsSetRateLimit(netuid),
    ]);
    // u64: toString gives the decimal value (toJSON gives hex for 64-bit integers).
    const versionKey = versionKeyCodec.toString();
    if (!mine) return { status: "skipped", reason: `hotkey ${signer.address} is not registered on subnet ${netuid}` };
    const mechanismCount = mechanisms ? Number(mechanisms.toString()) : 1;
    if (mechanismCount > 1) {
      return {
        status: "skipped",
        reason: `subnet ${netuid} has ${mechanismCount} mechanisms; the console scores one and does not split its weights among them`,
      };
    }
    const head = this.head() ?? 0;
    const last = mine.lastUpdate;
    const limit = Number(rateLimit.toString());
    if (last > 0 && head - last < limit) {
      return {
        status: "skipped",
        reason: `rate limit: ${limit - (head - last)} more blocks before this hotkey may set weights`,
      };
    }
    if (commitReveal.toJSON() !== true) {
      const r = await this.submit(api.tx.subtensorModule.setWeights(netuid, uids, weights, versionKey), signer);
      return r.ok ? { status: "set", txHash: r.txHash, inBlock: r.inBlock, versionKey } : { ...r.failure, versionKey };
    }
    return this.commitWeights(api, signer, netuid, uids, weights, BigInt(versionKey));
  }

  /** commit_timelocked_mechanism_weights on mechanism 0, encrypted to the round stored when the reveal epoch begins. */
  private async commitWeights(
    api: ApiPromise,
    signer: KeyringPair,
    netuid: number,
    uids: number[],
    values: number[],
    versionKey: bigint,
  ): Promise<WeightsResult> {
    const q = api.query.subtensorModule;
    if (!api.tx.subtensorModule.commitTimelockedMechanismWeights) {
      return {
        status: "skipped",
        reason: "this runtime has no commit_timelocked_mechanism_weights: commit-reveal weights cannot be sent",
      };
    }
    const [version, tempo, revealPeriod, sinceStep, lastEpochBlock, pendingEpochAt, lastStored, commits] =
      await Promise.all([
        q.commitRevealWeightsVersion(),
        q.tempo(netuid),
        q.revealPeriodEpochs(netuid),
        q.blocksSinceLastStep(netuid),
        q.lastEpochBlock ? q.lastEpochBlock(netuid) : null,
        q.pendingEpochAt ? q.pendingEpochAt(netuid) : null,
        api.query.drand.lastStoredRound(),
        q.timelockedWeightCommits.entries(netuid),
      ]);
    if (Number(version.toString()) !== COMMIT_REVEAL_VERSION) {
      return {
        status: "skipped",
        reason: `the chain's CommitRevealWeightsVersion is ${version.toString()}; this console makes version ${COMMIT_REVEAL_VERSION} commits`,
      };
    }
    const mine = commits
      .flatMap(([, list]) => [...(list as unknown as Array<[{ toString(): string }]>)])
      .filter(([who]) => who.toString() === signer.address).length;
    if (mine >= MAX_UNREVEALED_COMMITS) {
      return {
        status: "skipped",
        reason: `${mine} commits of this hotkey are not revealed yet (the chain allows ${MAX_UNREVEALED_COMMITS})`,
      };
    }
    const head = this.head() ?? 0;
    const t = Number(tempo.toString());
    // Runtimes that keep per-subnet epoch state say when the next epoch begins; older ones count blocks since the last step.
    const next =
      Number(pendingEpochAt?.toString() ?? 0) || (lastEpochBlock ? Number(lastEpochBlock.toString()) + t + 1 : 0);
    const blocksSinceLastStep = next > head ? t + 1 - (next - head) : Number(sinceStep.toString());
    const { ciphertext, round, revealBlock } = timelockedCommit({
      beacon: this.opts.drand ?? QUICKNET,
      epoch: {
        head,
        tempo: t,
        revealPeriodEpochs: Number(revealPeriod.toString()),
        blocksSinceLastStep,
        blockSeconds: this.opts.blockTimeMs / 1000,
      },
      now: this.opts.now?.() ?? Date.now(),
      lastStoredRound: Number(lastStored.toString()),
      hotkey: signer.publicKey,
      uids,
      values,
      versionKey,
    });
    const tx = api.tx.subtensorModule.commitTimelockedMechanismWeights(
      netuid,
      0,
      // Bytes from a Uint8Array would be read as already length-prefixed: the raw bytes go as hex.
      u8aToHex(ciphertext),
      round,
      COMMIT_REVEAL_VERSION,
    );
    const r = await this.submit(tx, signer);
    return r.ok
      ? {
          status: "committed",
          txHash: r.txHash,
          inBlock: r.inBlock,
          versionKey: versionKey.toString(),
          revealRound: round,
          revealBlock,
        }
      : { ...r.failure, versionKey: versionKey.toString() };
  }

  /**
   * Signs and sends an extrinsic and follows it until it is in a block: ok, or the dispatch error the chain
   * recorded (module errors by name), or why it never got there (invalid, dropped, 2 minutes without a block).
   */
  private submit(
    tx: SubmittableExtrinsic<"promise">,
    signer: KeyringPair,
  ): Promise<
    { ok: true; txHash: string; inBlock: number } | { ok: false; failure: Extract<WeightsResult, { status: "failed" }> }
  > {
    const api = this.connectedApi();
    return new Promise((resolve) => {
      let unsubscribe: (() => void) | null = null;
      let txHash: string | undefined;
      const finish = (r: Awaited<ReturnType<SubtensorChain["submit"]>>) => {
        clearTimeout(timer);
        unsubscribe?.();
        resolve(r);
      };
      const fail = (reason: string, inBlock?: number) =>
        finish({ ok: false, failure: { status: "failed", reason, txHash, inBlock } });
      const timer = setTimeout(() => fail("the extrinsic was not in a block within 2 minutes"), SUBMIT_TIMEOUT_MS);
      tx.signAndSend(signer, (result: ISubmittableResult) => {
        txHash = result.txHash.toHex();
        const { status, dispatchError } = result;
        if (status.isInBlock) {
          void api.rpc.chain
            .getHeader(status.asInBlock)
            .then((h) => h.number.toNumber())
            .catch(() => this.head() ?? 0)
            .then((inBlock) => {
              if (!dispatchError) return finish({ ok: true, txHash: txHash!, inBlock });
              if (dispatchError.isModule) {
                const e = api.registry.findMetaError(dispatchError.asModule);
                return fail(
                  `${stringUpperFirst(e.section)}.${e.name}${e.docs.length ? `: ${e.docs.join(" ")}` : ""}`,
                  inBlock,
                );
              }
              fail(dispatchError.toString(), inBlock);
            });
        } else if (status.isInvalid || status.isDropped || status.isUsurped) {
          fail(`the extrinsic was ${status.type.toLowerCase()}`);
        }
      })
        .then((u) => {
          unsubscribe = u;
        })
        .catch((e: Error) => fail(e.message));
    });
  }

  async revealOutcome(netuid: number, hotkey: string, commit: { revealBlock: number }): Promise<RevealOutcome> {
    const api = this.connectedApi();
    const q = api.query.subtensorModule;
    const [mine, tempo] = await Promise.all([this.lastWeightsOf(api, netuid, hotkey), q.tempo(netuid)]);
    if (!mine) return { state: "not_revealed", reason: "the hotkey is no longer registered on the subnet" };
    if (mine.lastUpdate >= commit.revealBlock) return { state: "revealed", block: mine.lastUpdate };
    const head = this.head() ?? 0;
    if (head <= commit.revealBlock + Number(tempo.toString()) + 1) return { state: "pending" };
    return {
      state: "not_revealed",
      reason:
        "no weights of this hotkey after the reveal epoch: the chain drops a commit silently (its round's pulse never stored, a payload or version key it refused)",
    };
  }

  /** A hotkey's uid on a subnet and the block of its last weights (`LastUpdate`), or null when it is not registered. */
  private async lastWeightsOf(
    api: ApiPromise,
    netuid: number,
    hotkey: string,
  ): Promise<{ uid: number; lastUpdate: number } | null> {
    const q = api.query.subtensorModule;
    const [uid, lastUpdate] = await Promise.all([q.uids(netuid, hotkey), q.lastUpdate(netuid)]);
    const n = (uid as unknown as Option<u16>).unwrapOr(null)?.toNumber();
    if (n === undefined) return null;
    return { uid: n, lastUpdate: Number((lastUpdate as unknown as u64[])[n]?.toString() ?? 0) };
  }

  private connectedApi(): ApiPromise {
    if (!this.api || !this.connected) throw new Error("chain not connected");
    return this.api;
  }

  async fetchNeurons(netuid: number): Promise<NeuronRecord[]> {
    const api = this.connectedApi();
    const result = await api.call.neuronInfoRuntimeApi.getNeuronsLite(netuid);
    // A V14-only node answers bytes that wrap the list; newer ones answer the typed list.
    const wrapped = ["Bytes", "Vec<u8>"].includes(result.toRawType());
    const list = wrapped ? api.registry.createType("Vec<NeuronInfoLite>", unwrapBytes(result.toU8a(true))) : result;
    const neurons = list.toJSON() as unknown as NeuronLiteJson[];
    return neurons.map((n) => ({
      uid: n.uid,
      hotkey: n.hotkey,
      coldkey: n.coldkey,
      validatorPermit: n.validatorPermit,
      stake: n.stake.reduce((sum, [, amount]) => sum + BigInt(amount), 0n).toString(),
      axonIp: axonIpToString(BigInt(n.axonInfo.ip), n.axonInfo.ipType),
      axonPort: axonIpToString(BigInt(n.axonInfo.ip), n.axonInfo.ipType) ? n.axonInfo.port : null,
      incentive: share(n.incentive),
      consensus: share(n.consensus),
      trust: share(n.trust),
      validatorTrust: share(n.validatorTrust),
      dividends: share(n.dividends),
      emission: BigInt(n.emission).toString(),
      lastUpdate: Number(n.lastUpdate),
    }));
  }
}
