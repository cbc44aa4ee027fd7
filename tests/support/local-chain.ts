/** A devnet chain node in the test process and the console's chain (the finney code) connected to it. */
import { SubtensorChain } from "@/server/chain/subtensor";
import { ChainNode, type ChainNodeOptions } from "@/server/devnet/chain/node";

export interface LocalChain {
  node: ChainNode;
  chain: SubtensorChain;
  /** Produces one block and waits until the console's chain has seen it. */
  nextBlock(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a node (blocks on demand unless `blockTimeMs` is given) with the subnets `setup` adds, and a
 * `SubtensorChain` on it that reads `chainBlockTimeMs` as the block time (12 s, finney's, by default).
 */
export async function startLocalChain(
  opts: ChainNodeOptions & { netuid?: number; chainBlockTimeMs?: number; setup?: (node: ChainNode) => void } = {},
): Promise<LocalChain> {
  const node = new ChainNode({ blockTimeMs: 0, ...opts });
  opts.setup?.(node);
  await node.start();
  const chain = new SubtensorChain({
    url: node.url,
    netuid: opts.netuid ?? 1,
    blockTimeMs: opts.chainBlockTimeMs ?? opts.blockTimeMs ?? 12_000,
    drand: node.beacon.network,
    now: opts.now,
    setHead: async (block) => node.setHead(block),
  });
  await chain.start();
  const seen = (block: number) => waitFor(() => chain.head() === block, `block ${block}`);
  await seen(node.block);
  return {
    node,
    chain,
    async nextBlock() {
      node.produceBlock();
      await seen(node.block);
    },
    async stop() {
      await chain.stop();
      await node.stop();
    },
  };
}

async function waitFor(ok: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A chain for a console without a devnet of its own (DEVNET=0): a node in this process with `netuids` as
 * subnets, a block every `blockTimeMs` (none but on demand when 0) from `startBlock`, and the console's environment.
 */
export async function chainForConsole(
  opts: { startBlock?: number; blockTimeMs?: number; netuids?: number[] } = {},
): Promise<{ node: ChainNode; env: Record<string, string>; stop(): Promise<void> }> {
  const node = new ChainNode({ startBlock: opts.startBlock ?? 0, blockTimeMs: opts.blockTimeMs ?? 0 });
  for (const netuid of opts.netuids ?? [1]) node.addSubnet(netuid);
  await node.start();
  return { node, env: consoleOn(node), stop: () => node.stop() };
}

/** The environment of a console that reads `node` as its chain, without a devnet of its own. */
export function consoleOn(node: ChainNode): Record<string, string> {
  const drand = node.beacon.network;
  return {
    DEVNET: "0",
    SUBTENSOR_URL: node.url,
    DRAND_PUBLIC_KEY: drand.publicKey,
    DRAND_GENESIS: String(drand.genesis),
    DRAND_PERIOD: String(drand.period),
  };
}
