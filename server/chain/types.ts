import type { KeyringPair } from "@polkadot/keyring/types";

export interface NeuronRecord {
  uid: number;
  hotkey: string;
  coldkey: string;
  validatorPermit: boolean;
  /** Total stake in rao as a decimal string. */
  stake: string;
  axonIp: string | null;
  axonPort: number | null;
}

export interface ChainStatus {
  kind: "simulated" | "subtensor";
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
  readonly kind: "simulated" | "subtensor";
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The newest known block, or null while none is known yet. */
  head(): number | null;
  onHead(listener: (e: HeadEvent) => void): () => void;
  /** Recent heads with the time each was seen (for timing charts). */
  recentHeads(): readonly HeadEvent[];
  /** Moves the head (simulated chain only: devnet control and tests). */
  setHead?(block: number): Promise<void>;
  status(): ChainStatus;
  /** Reads the subnet's neurons from the chain itself (the metagraph refresh job stores them). */
  fetchNeurons(netuid: number): Promise<NeuronRecord[] | null>;
  /**
   * Sets this validator's weights on the subnet (u16 values per uid). Only the subtensor chain can;
   * it declines when the subnet uses commit-reveal.
   */
  setWeights?(signer: KeyringPair, netuid: number, uids: number[], weights: number[]): Promise<WeightsResult>;
}

export type WeightsResult =
  { status: "submitted"; txHash: string; versionKey: string } | { status: "skipped"; reason: string };
