/**
 * SCALE definitions of subtensor's neuron runtime API for nodes that serve only metadata V14. Nodes with
 * V15 or later (finney since 2024) describe the API in their metadata, which takes precedence. The old
 * runtime (spec <= 219) answered `get_neurons_lite` with a `Vec<u8>` wrapping the encoded list.
 */
export const SUBTENSOR_TYPES = {
  AxonInfo: {
    block: "u64",
    version: "u32",
    ip: "u128",
    port: "u16",
    ipType: "u8",
    protocol: "u8",
    placeholder1: "u8",
    placeholder2: "u8",
  },
  PrometheusInfo: { block: "u64", version: "u32", ip: "u128", port: "u16", ipType: "u8" },
  NeuronInfoLite: {
    hotkey: "AccountId",
    coldkey: "AccountId",
    uid: "Compact<u16>",
    netuid: "Compact<u16>",
    active: "bool",
    axonInfo: "AxonInfo",
    prometheusInfo: "PrometheusInfo",
    stake: "Vec<(AccountId, Compact<u64>)>",
    rank: "Compact<u16>",
    emission: "Compact<u64>",
    incentive: "Compact<u16>",
    consensus: "Compact<u16>",
    trust: "Compact<u16>",
    validatorTrust: "Compact<u16>",
    dividends: "Compact<u16>",
    lastUpdate: "Compact<u64>",
    validatorPermit: "bool",
    pruningScore: "Compact<u16>",
  },
} as const;

export const SUBTENSOR_RUNTIME = {
  NeuronInfoRuntimeApi: [
    {
      methods: {
        get_neurons_lite: {
          description: "Neurons of a subnet, without weights and bonds (SCALE of Vec<NeuronInfoLite>)",
          params: [{ name: "netuid", type: "u16" }],
          type: "Vec<u8>",
        },
      },
      version: 1,
    },
  ],
};

/**
 * Signed extensions of finney's runtimes (343 and 424) that add nothing to an extrinsic or its signing payload:
 * declared empty, as the API would treat them anyway, so it does not warn about each one.
 */
export const SUBTENSOR_SIGNED_EXTENSIONS = Object.fromEntries(
  [
    "SubtensorSignedExtension",
    "CommitmentsSignedExtension",
    "SudoTransactionExtension",
    "CheckShieldedTxValidity",
    "SubtensorTransactionExtension",
    "DrandPriority",
  ].map((name) => [name, { extrinsic: {}, payload: {} }]),
);

/** u128 IPv4/IPv6 integer as text; 0 means the axon is not serving. */
export function axonIpToString(ip: bigint, ipType: number): string | null {
  if (ip === 0n) return null;
  if (ipType === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((ip >> s) & 0xffn).toString()).join(".");
  }
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((ip >> s) & 0xffffn).toString(16));
  return groups.join(":");
}
