import { config } from "../env";
import { db } from "../db";
import { lazy } from "../global";
import { loadedCache } from "../cache";
import { SubtensorChain } from "./subtensor";
import type { Chain, NeuronRecord } from "./types";
import type { DrandNetwork } from "./commit-reveal";

export type { Chain, ChainStatus, HeadEvent, NeuronRecord } from "./types";
export { SubtensorChain } from "./subtensor";

/**
 * The chain of this process: SUBTENSOR_URL (finney when the devnet is off and it is unset). With the devnet on,
 * the console's start sets the devnet's chain here before anything reads it.
 */
export const chain = lazy<Chain>(() => {
  const c = config();
  if (!c.SUBTENSOR_URL) throw new Error("no chain yet: the devnet's chain is set when the devnet has started");
  return new SubtensorChain({
    url: c.SUBTENSOR_URL,
    netuid: c.NETUID,
    blockTimeMs: c.BLOCK_TIME_MS,
    drand: {
      name: "drand",
      publicKey: c.DRAND_PUBLIC_KEY.replace(/^0x/, ""),
      genesis: c.DRAND_GENESIS,
      period: c.DRAND_PERIOD,
    },
  });
});

/** The console's chain when it runs the devnet: the devnet's node, over the same path as finney. */
export function devnetChain(endpoint: string, drand: DrandNetwork, setHead: (block: number) => Promise<void>): Chain {
  const c = config();
  return new SubtensorChain({ url: endpoint, netuid: c.NETUID, blockTimeMs: c.BLOCK_TIME_MS, drand, setHead });
}

export async function listNeurons(netuid = config().NETUID): Promise<NeuronRecord[]> {
  const rows = await db().neuron.findMany({ where: { netuid }, orderBy: { uid: "asc" } });
  return rows.map(({ netuid: _n, updatedAt: _u, ...n }) => n);
}

/** Replaces the stored metagraph of every subnet in use with what the chain says, one transaction each. */
export async function refreshMetagraph(): Promise<{ neurons: number; source: "chain" | "database" }> {
  let total = 0;
  let source: "chain" | "database" = "database";
  for (const netuid of config().netuidsInUse) {
    const r = await refreshSubnet(netuid);
    total += r.neurons;
    source = r.source;
  }
  return { neurons: total, source };
}

async function refreshSubnet(netuid: number): Promise<{ neurons: number; source: "chain" | "database" }> {
  const neurons = await chain().fetchNeurons(netuid);
  if (neurons === null) return { neurons: await db().neuron.count({ where: { netuid } }), source: "database" };
  await db().$transaction([
    db().neuron.deleteMany({ where: { netuid, uid: { notIn: neurons.map((n) => n.uid) } } }),
    ...neurons.map((n) =>
      db().neuron.upsert({ where: { netuid_uid: { netuid, uid: n.uid } }, create: { netuid, ...n }, update: n }),
    ),
  ]);
  invalidateNeurons();
  return { neurons: neurons.length, source: "chain" };
}

// Hotkey lookups happen on every download and submission: each subnet's metagraph is kept in memory.
const neuronCaches = new Map<number, ReturnType<typeof metagraphCache>>();
const metagraphCache = (netuid: number) =>
  loadedCache(5000, async () => new Map((await listNeurons(netuid)).map((n) => [n.hotkey, n])));

export function invalidateNeurons(): void {
  for (const c of neuronCaches.values()) c.invalidate();
}

/** The neuron of `hotkey` on a subnet (NETUID by default), or null when it is not registered there. */
export async function findNeuron(hotkey: string, netuid = config().NETUID): Promise<NeuronRecord | null> {
  let cache = neuronCaches.get(netuid);
  if (!cache) neuronCaches.set(netuid, (cache = metagraphCache(netuid)));
  return (await cache.get()).get(hotkey) ?? null;
}
