import { blake2AsHex } from "@polkadot/util-crypto";
import type { KeyringPair } from "@polkadot/keyring/types";
import type { Db } from "../db";
import { COMMIT_REVEAL_VERSION, timelockedCommit } from "./commit-reveal";
import { HeadFeed } from "./heads";
import { SimulatedWeights } from "./simulated-weights";
import type { Chain, ChainStatus, NeuronRecord, RevealOutcome, WeightsResult } from "./types";

const GENESIS_KEY = "chain.simulated.anchor";

interface Anchor {
  /** Block number at `time`. */
  block: number;
  /** Wall-clock ms. */
  time: number;
  blockTimeMs: number;
}

/**
 * A deterministic block clock: head = anchor.block + floor((now - anchor.time) / blockTime). The anchor
 * is stored in the database, so a restart continues the count. Its metagraph is the Neuron table; its
 * subnets take timelocked weights commits to a drand beacon of their own and reveal them (commit-reveal
 * on, as on finney).
 */
export class SimulatedChain implements Chain {
  readonly kind = "simulated" as const;
  readonly feed = new HeadFeed();
  private anchor: Anchor | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastPublished = -1;
  readonly weights: SimulatedWeights;

  constructor(
    private db: Db,
    private opts: {
      blockTimeMs: number;
      startBlock: number;
      netuid: number;
      now?: () => number;
      /** Blocks per epoch of its subnets. */
      tempo?: number;
      /** Whether a hotkey is registered on a subnet (commits from others are refused). */
      isRegistered?: (netuid: number, hotkey: string) => Promise<boolean>;
    },
  ) {
    this.weights = new SimulatedWeights({
      tempo: opts.tempo ?? 10,
      now: () => this.now(),
      isRegistered: opts.isRegistered ?? (async () => true),
    });
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  async start(): Promise<void> {
    const row = await this.db.setting.findUnique({ where: { key: GENESIS_KEY } });
    const now = this.now();
    let anchor: Anchor | null = row ? (JSON.parse(row.value) as Anchor) : null;
    if (!anchor) {
      anchor = { block: this.opts.startBlock, time: now, blockTimeMs: this.opts.blockTimeMs };
      await this.saveAnchor(anchor);
    } else if (anchor.blockTimeMs !== this.opts.blockTimeMs) {
      // Keep the count, change the pace from here on.
      anchor = { block: this.blockAt(anchor, now), time: now, blockTimeMs: this.opts.blockTimeMs };
      await this.saveAnchor(anchor);
    }
    this.anchor = anchor;
    this.tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async saveAnchor(anchor: Anchor): Promise<void> {
    const value = JSON.stringify(anchor);
    await this.db.setting.upsert({
      where: { key: GENESIS_KEY },
      create: { key: GENESIS_KEY, value },
      update: { value },
    });
  }

  private blockAt(anchor: Anchor, now: number): number {
    return anchor.block + Math.max(0, Math.floor((now - anchor.time) / anchor.blockTimeMs));
  }

  /** Publishes the head when it changed and sleeps until the next block boundary. */
  private tick = (): void => {
    if (!this.anchor) return;
    const now = this.now();
    const block = this.blockAt(this.anchor, now);
    if (block !== this.lastPublished) {
      this.lastPublished = block;
      this.feed.publish({ block, at: now });
      this.weights.onBlock(block);
    }
    const next = this.anchor.time + (block - this.anchor.block + 1) * this.anchor.blockTimeMs;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.tick, Math.max(1, next - this.now()));
    this.timer.unref();
  };

  head(): number | null {
    return this.anchor ? this.blockAt(this.anchor, this.now()) : null;
  }

  /** Moves the clock to `block` now (devnet control and tests). */
  async setHead(block: number): Promise<void> {
    const anchor = { block, time: this.now(), blockTimeMs: this.opts.blockTimeMs };
    await this.saveAnchor(anchor);
    this.anchor = anchor;
    this.lastPublished = -1;
    this.tick();
  }

  recentHeads() {
    return this.feed.recent();
  }

  onHead(listener: Parameters<Chain["onHead"]>[0]): () => void {
    return this.feed.subscribe(listener);
  }

  status(): ChainStatus {
    const last = this.feed.recent().at(-1);
    return {
      kind: "simulated",
      endpoint: "simulated",
      netuid: this.opts.netuid,
      connected: this.anchor !== null,
      head: this.head(),
      lastHeadAt: last?.at ?? null,
      blockTimeMs: this.opts.blockTimeMs,
      reconnects: 0,
      lastError: null,
    };
  }

  /** Commits the weights to the devnet beacon's round for the subnet's reveal epoch; the chain reveals them. */
  async setWeights(signer: KeyringPair, netuid: number, uids: number[], values: number[]): Promise<WeightsResult> {
    const head = this.head();
    if (head === null) throw new Error("the simulated chain has not started");
    const w = this.weights;
    const versionKey = w.versionKey.toString();
    const { ciphertext, round, revealBlock } = timelockedCommit({
      beacon: w.beacon.network,
      epoch: w.epochState(netuid, head, this.opts.blockTimeMs / 1000),
      now: this.now(),
      lastStoredRound: w.lastStoredRound(),
      hotkey: signer.publicKey,
      uids,
      values,
      versionKey: w.versionKey,
    });
    const inBlock = head + 1;
    const txHash = blake2AsHex(ciphertext);
    const error = await w.commit(
      { who: signer.address, whoKey: signer.publicKey, netuid, inBlock, ciphertext, round },
      COMMIT_REVEAL_VERSION,
    );
    return error
      ? { status: "failed", reason: error, txHash, versionKey }
      : { status: "committed", txHash, inBlock, versionKey, revealRound: round, revealBlock };
  }

  async revealOutcome(netuid: number, hotkey: string, commit: { inBlock: number }): Promise<RevealOutcome> {
    return this.weights.outcome(netuid, hotkey, commit.inBlock, this.head() ?? 0);
  }

  /** The simulated metagraph is the Neuron table itself: nothing to fetch. */
  async fetchNeurons(_netuid: number): Promise<NeuronRecord[] | null> {
    return null;
  }
}
