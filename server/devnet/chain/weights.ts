import { u8aEq } from "@polkadot/util";
import { log } from "../../log";
import {
  COMMIT_REVEAL_VERSION,
  MAX_UNREVEALED_COMMITS,
  QUICKNET,
  SimulatedBeacon,
  decodePayload,
  roundAt,
  tlockDecrypt,
  type EpochState,
} from "../../chain/commit-reveal";
import type { RevealOutcome } from "../../chain/types";

interface Commit {
  /** The committer's SS58 address and public key. */
  who: string;
  whoKey: Uint8Array;
  netuid: number;
  inBlock: number;
  epoch: number;
  ciphertext: Uint8Array;
  round: number;
}

type Outcome = { block: number } | { reason: string };

/** The largest commit the chain accepts (bytes). */
const MAX_COMMIT_BYTES = 5000;
/** Outcomes kept for the console to read (the oldest go first): many cycles of every role. */
const MAX_OUTCOMES = 512;

/**
 * The devnet chain's weights: a drand beacon of its own (a BLS12-381 key signing every 3 s round),
 * timelocked commits checked as subtensor checks them, and the reveal at the first block of epoch
 * `commit epoch + RevealPeriodEpochs` with the chain's decryption rules (retried every block of that
 * epoch until the round's pulse exists; dropped when the epoch ends).
 */
export class SimulatedWeights {
  readonly beacon: SimulatedBeacon;
  readonly revealPeriodEpochs = 1;
  readonly versionKey = 0n;
  private pending: Commit[] = [];

  /** Commits waiting for their reveal epoch, oldest first. */
  get waiting(): readonly Commit[] {
    return this.pending;
  }
  private outcomes = new Map<string, Outcome>();
  /** Revealed weights per `netuid:hotkey`, with the block of the reveal. */
  readonly weights = new Map<string, { uids: number[]; values: number[]; block: number }>();

  constructor(
    private opts: {
      tempo: number;
      now: () => number;
      isRegistered: (netuid: number, hotkey: string) => Promise<boolean>;
      beacon?: SimulatedBeacon;
    },
  ) {
    this.beacon =
      opts.beacon ?? new SimulatedBeacon("subnet-console devnet drand beacon", QUICKNET.genesis, QUICKNET.period);
  }

  /** The epoch a block belongs to on a subnet (subtensor's `(block + netuid + 1) / (tempo + 1)`). */
  epochOf(netuid: number, block: number): number {
    return Math.floor((block + netuid + 1) / (this.opts.tempo + 1));
  }

  epochState(netuid: number, head: number, blockSeconds: number): EpochState {
    return {
      head,
      tempo: this.opts.tempo,
      revealPeriodEpochs: this.revealPeriodEpochs,
      blocksSinceLastStep: (head + netuid + 1) % (this.opts.tempo + 1),
      blockSeconds,
    };
  }

  /** The beacon's newest round: the devnet stores each pulse as it is published. */
  lastStoredRound(): number {
    return roundAt(this.beacon.network, this.opts.now());
  }

  /** `commit_timelocked_mechanism_weights`: the chain's checks, then the commit waits for its reveal epoch. Returns the dispatch error, or null. */
  async commit(c: Omit<Commit, "epoch">, version: number): Promise<string | null> {
    if (c.ciphertext.length > MAX_COMMIT_BYTES)
      return `invalid transaction: a commit of ${c.ciphertext.length} bytes exceeds ${MAX_COMMIT_BYTES}`;
    if (!(await this.opts.isRegistered(c.netuid, c.who))) return "SubtensorModule.HotKeyNotRegisteredInSubNet";
    const error = this.commitNow(c, version, this.lastStoredRound());
    return error && `SubtensorModule.${error}`;
  }

  /** The commit's dispatch by a registered hotkey, with the chain's newest stored round: null, or the module error. */
  commitNow(c: Omit<Commit, "epoch">, version: number, lastStoredRound: number): string | null {
    if (version !== COMMIT_REVEAL_VERSION) return "IncorrectCommitRevealVersion";
    const mine = this.pending.filter((p) => p.who === c.who && p.netuid === c.netuid).length;
    if (mine >= MAX_UNREVEALED_COMMITS) return "TooManyUnrevealedCommits";
    if (c.round < lastStoredRound) return "InvalidRevealRound";
    this.pending.push({ ...c, epoch: this.epochOf(c.netuid, c.inBlock) });
    return null;
  }

  /** Runs at each new block. */
  onBlock(block: number): void {
    if (this.pending.length === 0) return;
    const stored = this.lastStoredRound();
    this.pending = this.pending.filter((c) => {
      const epoch = this.epochOf(c.netuid, block);
      const revealEpoch = c.epoch + this.revealPeriodEpochs;
      if (epoch < revealEpoch || (epoch === revealEpoch && c.round > stored)) return true;
      const outcome: Outcome =
        epoch > revealEpoch
          ? {
              reason: `round ${c.round}'s pulse was not stored during the reveal epoch, so the chain dropped the commit`,
            }
          : this.reveal(c, block);
      this.outcomes.set(key(c.netuid, c.who, c.inBlock), outcome);
      if (this.outcomes.size > MAX_OUTCOMES) this.outcomes.delete(this.outcomes.keys().next().value!);
      log.info(
        { netuid: c.netuid, hotkey: c.who, round: c.round, ...outcome },
        "devnet chain: timelocked weights commit",
      );
      return false;
    });
  }

  private reveal(c: Commit, block: number): Outcome {
    let payload;
    try {
      payload = decodePayload(tlockDecrypt(c.ciphertext, this.beacon.sign(c.round)));
    } catch (e) {
      return { reason: `the commit does not open with round ${c.round}'s pulse (${(e as Error).message})` };
    }
    if (!u8aEq(payload.hotkey, c.whoKey)) return { reason: "the payload names another hotkey than the committer" };
    if (payload.versionKey !== this.versionKey) {
      return { reason: `version key ${payload.versionKey} is not the subnet's ${this.versionKey}` };
    }
    if (payload.uids.length !== payload.values.length) return { reason: "uids and values differ in length" };
    this.weights.set(`${c.netuid}:${c.who}`, { uids: payload.uids, values: payload.values, block });
    return { block };
  }

  outcome(netuid: number, who: string, inBlock: number, head: number): RevealOutcome {
    const o = this.outcomes.get(key(netuid, who, inBlock));
    if (o) return "block" in o ? { state: "revealed", block: o.block } : { state: "not_revealed", reason: o.reason };
    if (this.pending.some((c) => c.netuid === netuid && c.who === who && c.inBlock === inBlock))
      return { state: "pending" };
    return this.epochOf(netuid, head) > this.epochOf(netuid, inBlock) + this.revealPeriodEpochs
      ? { state: "not_revealed", reason: "the chain has no record of this commit (the devnet restarted since)" }
      : { state: "pending" };
  }
}

const key = (netuid: number, who: string, inBlock: number) => `${netuid}:${who}:${inBlock}`;
