import net from "node:net";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { chain, findNeuron, invalidateNeurons } from "../chain";
import { db } from "../db";
import { consoleHotkey, DEVNET_VALIDATOR_URI } from "../bittensor/identity";
import type { NeuronRecord } from "../chain/types";
import { config, netuidOf, roleEnabled } from "../env";
import { log } from "../log";
import { currentVersion, publishVersion } from "../models";
import { isTinyMoeConfig } from "../models/tiny-moe";
import { validatorToken } from "../auth/secrets";
import { DEVNET_MACHINES, DevnetComputeMiner } from "./compute-miner";
import { pinHostKey } from "../compute";
import { setSourceFetcher, setSyntheticTopics } from "../search";
import { DevnetSearchMiner, type SearchBehaviour } from "./search-miner";
import { searchCorpus } from "./search-corpus";
import { DevnetMiner, type MinerBehaviour } from "./miner";
import { Trainer } from "./trainer";
import { writeDevnetModel } from "./model";

/** The simulated miners' mix: mostly honest trainers of different strength, one broken, one copier. */
function behaviourOf(i: number): MinerBehaviour {
  if (i === 4) return "broken";
  if (i === 5) return "copy";
  return "train";
}

export function devnetKeyring() {
  return new Keyring({ type: "sr25519", ss58Format: 42 });
}

/**
 * Registers the devnet's neurons in the simulated metagraph: this validator (uid 0, with a permit), the
 * simulated miners, and the operator's own miners and validators from DEVNET_*_HOTKEYS.
 */
async function seedMetagraph(
  miners: DevnetMiner[],
  computeMiners: DevnetComputeMiner[],
  searchMiners: DevnetSearchMiner[],
): Promise<void> {
  const c = config();
  const keyring = devnetKeyring();
  const offlinePort = await closedPort();
  type Entry = Omit<NeuronRecord, "uid">;
  const validator: Entry = {
    // The console's own hotkey, so that miners' blacklists let its dendrite in (on every simulated subnet).
    hotkey: consoleHotkey()?.address ?? keyring.addFromUri(DEVNET_VALIDATOR_URI).address,
    coldkey: keyring.addFromUri("//devnet-validator//cold").address,
    validatorPermit: true,
    stake: "1000000000000",
    axonIp: "127.0.0.1",
    axonPort: c.PORT,
  };
  const subnets = new Map<number, Entry[]>();
  const subnet = (netuid: number) => subnets.get(netuid) ?? (subnets.set(netuid, [validator]).get(netuid) as Entry[]);
  for (const netuid of c.netuidsInUse) subnet(netuid);
  subnet(netuidOf("validator")).push(
    ...miners.map((m) => ({
      hotkey: m.hotkey,
      coldkey: keyring.addFromUri(`//devnet-cold-${m.hotkey.slice(0, 6)}`).address,
      validatorPermit: false,
      stake: "0",
      axonIp: "127.0.0.1",
      axonPort: m.port,
    })),
    // A miner whose axon is down on purpose: published, nothing listening.
    {
      hotkey: keyring.addFromUri("//devnet-miner-offline").address,
      coldkey: keyring.addFromUri("//devnet-miner-offline//cold").address,
      validatorPermit: false,
      stake: "0",
      axonIp: "127.0.0.1",
      axonPort: offlinePort,
    },
    ...c.DEVNET_MINER_HOTKEYS.map((h) => ({
      hotkey: h,
      coldkey: h,
      validatorPermit: false,
      stake: "0",
      axonIp: null,
      axonPort: null,
    })),
    ...c.DEVNET_VALIDATOR_HOTKEYS.map((h) => ({
      hotkey: h,
      coldkey: h,
      validatorPermit: true,
      stake: "1000000000000",
      axonIp: null,
      axonPort: null,
    })),
  );
  const serving = (list: Array<{ hotkey: string; port: number }>) =>
    list.map((m) => ({
      hotkey: m.hotkey,
      coldkey: keyring.addFromUri(`//devnet-cold-${m.hotkey.slice(0, 6)}`).address,
      validatorPermit: false,
      stake: "0",
      axonIp: "127.0.0.1",
      axonPort: m.port,
    }));
  if (computeMiners.length) subnet(netuidOf("compute")).push(...serving(computeMiners));
  if (searchMiners.length) subnet(netuidOf("search")).push(...serving(searchMiners));
  // Operators' own miners, with their axon, on the subnet of their role (NETUID without one).
  for (const a of c.DEVNET_MINER_AXONS) {
    const list = subnet(a.role ? netuidOf(a.role) : c.NETUID);
    if (list.some((n) => n.hotkey === a.hotkey)) continue;
    list.push({
      hotkey: a.hotkey,
      coldkey: a.hotkey,
      validatorPermit: false,
      stake: "0",
      axonIp: a.host,
      axonPort: a.port,
    });
  }
  await db().$transaction([
    db().neuron.deleteMany({ where: { netuid: { in: [...subnets.keys()] } } }),
    ...[...subnets].flatMap(([netuid, list]) =>
      list.map((n, uid) => db().neuron.create({ data: { netuid, uid, ...n } })),
    ),
  ]);
  invalidateNeurons();
  if (c.DEVNET_MINER_AXONS.length)
    log.info(
      { miners: c.DEVNET_MINER_AXONS.map((a) => `${a.hotkey}@${a.host}:${a.port}`) },
      "devnet: outside miners registered",
    );
}

/** A loopback port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Publishes the devnet's first model when none exists yet (before the server listens: clients see it at once). */
export async function ensureDevnetModel(): Promise<void> {
  if (currentVersion() || (await db().modelVersion.count()) > 0) return;
  const dir = path.resolve(config().MODELS_DIR, "step_0");
  await writeDevnetModel(dir);
  await publishVersion({ dir, name: "step_0", blockNumber: chain().head() ?? 0, by: "devnet" });
}

/**
 * The devnet: a first model, a simulated metagraph and training miners that download, train, serve and
 * submit every cycle through the public API, like real ones.
 */
export async function startDevnet(consoleUrl: string): Promise<() => Promise<void>> {
  const c = config();
  await ensureDevnetModel();
  const keyring = devnetKeyring();
  const groups = currentVersion()?.catalog.groups.length ?? 1;
  const trainer = new Trainer();
  const miners = Array.from(
    { length: c.DEVNET_MINERS },
    (_, i) =>
      new DevnetMiner(keyring.addFromUri(`//devnet-miner-${i}`), i % groups, behaviourOf(i), {
        consoleUrl,
        token: validatorToken,
        trainer,
        // Stronger and weaker trainers: different amounts of data and optimisation.
        trainSteps: 20 + 25 * (i % 4),
        samples: 32 + 32 * (i % 3),
        seed: i + 1,
        config: () => {
          const cfg = currentVersion()?.catalog.config;
          return isTinyMoeConfig(cfg) ? cfg : null;
        },
      }),
  );
  for (const m of miners) await m.start();
  // Compute miners (with the compute role): machines that report their Specs over the wire.
  const computeMiners = roleEnabled("compute")
    ? Array.from(
        { length: c.DEVNET_COMPUTE_MINERS },
        (_, i) =>
          new DevnetComputeMiner(
            keyring.addFromUri(`//devnet-compute-${i}`),
            { ...DEVNET_MACHINES[i % DEVNET_MACHINES.length] },
            async (hotkey) => !!(await findNeuron(hotkey, netuidOf("compute"))),
          ),
      )
    : [];
  for (const m of computeMiners) {
    await m.start();
    // Proof of GPU logs into these machines: their host keys are known, so a login elsewhere is refused.
    pinHostKey(m.hotkey, m.ssh.hostPublicKey);
  }
  // Search miners (with the search role): a corpus of real text, a full-text index, five behaviours.
  const searchBehaviours: SearchBehaviour[] = ["good", "slow", "inventor", "dropper", "offline", "good"];
  const searchMiners: DevnetSearchMiner[] = [];
  if (roleEnabled("search")) {
    const registered = async (hotkey: string) => !!(await findNeuron(hotkey, netuidOf("search")));
    for (let i = 0; i < c.DEVNET_SEARCH_MINERS; i++)
      searchMiners.push(
        new DevnetSearchMiner(
          keyring.addFromUri(`//devnet-search-${i}`),
          searchBehaviours[i % searchBehaviours.length],
          registered,
        ),
      );
    for (const m of searchMiners) await m.start();
    const corpus = searchCorpus();
    setSourceFetcher({
      tweet: async (id) => corpus.post(id) ?? null,
      page: async (link) => corpus.page(link) ?? null,
    });
    setSyntheticTopics(() => ({
      topics: corpus.topics(),
      accounts: [...new Set(corpus.posts.map((p) => p.user?.username ?? ""))].filter(Boolean),
    }));
  }
  await seedMetagraph(miners, computeMiners, searchMiners);
  const off = chain().onHead(() => {
    for (const m of miners) void m.onHead();
  });
  log.info({ miners: miners.length, groups }, "devnet running");
  return async () => {
    off();
    for (const m of miners) await m.stop();
    for (const m of computeMiners) await m.stop();
    for (const m of searchMiners) await m.stop();
    setSourceFetcher(null);
    await trainer.stop();
  };
}
