/** A drand network as the chain's drand pallet follows it: its key (G2) and its round clock. */
export interface DrandNetwork {
  name: string;
  /** The group public key, zcash-compressed G2, hex. */
  publicKey: string;
  /** Unix seconds of round 1. */
  genesis: number;
  /** Seconds between rounds. */
  period: number;
}

/** drand's quicknet (unchained BLS, signatures in G1): the beacon finney stores in `Drand.Pulses`. */
export const QUICKNET: DrandNetwork = {
  name: "quicknet",
  publicKey:
    "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
  genesis: 1692803367,
  period: 3,
};
