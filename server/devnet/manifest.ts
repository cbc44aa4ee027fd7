import type { DrandNetwork } from "../chain/commit-reveal";
import type { Role } from "../env";

/** What the devnet tells the console (and prints for an operator) once it runs. */
export interface DevnetManifest {
  /** The chain's JSON-RPC endpoint, ws://127.0.0.1:<port>. */
  endpoint: string;
  /** The drand beacon whose pulses the chain stores: commits are encrypted to it. */
  beacon: DrandNetwork;
  /** The head when the chain started, and when (ms): the console keeps it to continue the count. */
  anchor: { block: number; time: number; blockTimeMs: number };
  subnets: Array<{ netuid: number; roles: Role[]; neurons: number }>;
  miners: Array<{ netuid: number; uid: number; hotkey: string; kind: string; axon: string | null }>;
  /** Compute machines' SSH host keys (OpenSSH), so Proof of GPU logs into them and nowhere else. */
  hostKeys: Array<{ hotkey: string; key: string }>;
  /** The search corpus: its topics and accounts (for synthetic queries) and where items are fetched back. */
  corpus: { url: string; topics: string[]; accounts: string[] } | null;
}
