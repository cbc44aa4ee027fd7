import type { KeyringPair } from "@polkadot/keyring/types";

export interface NeuronRecord {
  uid: number;
  hotkey: string;
  coldkey: string;
  validatorPermit: boolean;
  /**
   * The hotkey's own stake on this subnet as `NeuronInfoLite` reports it: alpha in alpha-rao (1e-9 alpha), not
   * TAO, as a decimal string. Nothing shows it as TAO.
   */
  stake: string;
  axonIp: string | null;
  axonPort: number | null;
  /** The chain's own figures (shares in [0, 1]; emission in alpha-rao per epoch); absent where a neuron was written by hand (tests). */
  incentive?: number | null;
  consensus?: number | null;
  trust?: number | null;
  validatorTrust?: number | null;
  dividends?: number | null;
  emission?: string | null;
  lastUpdate?: number | null;
}

export interface ChainStatus {
  /** "devnet": the devnet's own chain, which this console runs; "subtensor": any other node. */
  kind: "devnet" | "subtensor";
  endpoint: string;
  netuid: number;
  connected: boolean;
  head: number | null;
  /** Wall-clock time (ms) at which the current head was seen. */
  lastHeadAt: number | null;
  blockTimeMs: number;
  reconnects: number;
  lastError: string | null;
}

export interface HeadEvent {
  block: number;
  at: number;
}

/** What the modules need from the chain. The head is kept in memory: reading it costs nothing. */
export interface Chain {
  readonly kind: "devnet" | "subtensor";
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The newest known block, or null while none is known yet. */
  head(): number | null;
  onHead(listener: (e: HeadEvent) => void): () => void;
  /** Recent heads with the time each was seen (for timing charts). */
  recentHeads(): readonly HeadEvent[];
  /** Moves the head (the devnet's own chain only: devnet control and tests). */
  setHead?(block: number): Promise<void>;
  status(): ChainStatus;
  /** Reads the subnet's neurons from the chain itself (the metagraph refresh job stores them). */
  fetchNeurons(netuid: number): Promise<NeuronRecord[] | null>;
  /**
   * Puts this validator's weights on the subnet (u16 values per uid): `set_weights` where commit-reveal is
   * off, a timelocked commit to a drand round where it is on; resolves once the extrinsic is in a block.
   */
  setWeights?(signer: KeyringPair, netuid: number, uids: number[], weights: number[]): Promise<WeightsResult>;
  /** What became of a timelocked commit: still waiting for its reveal epoch, revealed at a block, or not. */
  revealOutcome?(
    netuid: number,
    hotkey: string,
    commit: { inBlock: number; revealBlock: number },
  ): Promise<RevealOutcome>;
}

export type WeightsResult =
  | { status: "set"; txHash: string; inBlock: number; versionKey: string }
  | {
      status: "committed";
      txHash: string;
      inBlock: number;
      versionKey: string;
      revealRound: number;
      revealBlock: number;
    }
  /** The chain refused it (the dispatch error) or it never reached a block. */
  | { status: "failed"; reason: string; txHash?: string; inBlock?: number; versionKey?: string }
  /** Nothing was sent, and why. */
  | { status: "skipped"; reason: string };

export type RevealOutcome =
  { state: "pending" } | { state: "revealed"; block: number } | { state: "not_revealed"; reason: string };
