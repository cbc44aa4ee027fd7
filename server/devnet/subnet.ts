import http from "node:http";
import type { AddressInfo } from "node:net";
import { Keyring } from "@polkadot/keyring";
import { consoleHotkey, DEVNET_VALIDATOR_URI } from "../bittensor";
import { config, netuidOf, roleEnabled, type Role } from "../env";
import { log } from "../log";
import type { DevnetManifest } from "./manifest";
import { ChainNode, type NodeNeuron } from "./chain/node";
import { DEVNET_MACHINES, DevnetComputeMiner } from "./compute-miner";
import { DevnetMiner, type MinerBehaviour } from "./miner";
import { DEVNET_CONFIG } from "./model";
import { searchCorpus } from "./search-corpus";
import { DevnetSearchMiner, type SearchBehaviour } from "./search-miner";
import { Trainer } from "./trainer";
import { freeLoopbackPort } from "./ports";

export function devnetKeyring() {
  return new Keyring({ type: "sr25519", ss58Format: 42 });
}

/** The simulated miners' mix: mostly honest trainers of different strength, one broken, one copier. */
function behaviourOf(i: number): MinerBehaviour {
  if (i === 4) return "broken";
  if (i === 5) return "copy";
  return "train";
}

const SEARCH_BEHAVIOURS: SearchBehaviour[] = ["good", "slow", "inventor", "dropper", "offline", "good"];
const IP_127_0_0_1 = 2130706433n;

/** An IPv4 address as the chain stores it (u128). */
function ipOf(host: string): bigint {
  const parts = host.split(".").map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p < 256)
    ? parts.reduce((a, p) => a * 256n + BigInt(p), 0n)
    : IP_127_0_0_1;
}

type Keys = ReturnType<typeof devnetKeyring>;

/** Registration on the devnet's chain, with each neuron's kind for the manifest. */
function registry(node: ChainNode, keyring: Keys) {
  const kinds = new Map<string, string>();
  const cold = (hotkey: string) => keyring.addFromUri(`//devnet-cold-${hotkey.slice(0, 6)}`).address;
  return {
    node,
    keyring,
    kinds,
    register(netuid: number, n: Omit<NodeNeuron, "uid">, kind: string) {
      kinds.set(`${netuid}:${n.hotkey}`, kind);
      return node.register(netuid, n);
    },
    miner: (hotkey: string, port: number | null, host = "127.0.0.1"): Omit<NodeNeuron, "uid"> => ({
      hotkey,
      coldkey: cold(hotkey),
      validatorPermit: false,
      stake: 0n,
      ...(port ? { ip: ipOf(host), port } : {}),
    }),
    isValidator: (netuid: number) => async (hotkey: string) => !!node.neuron(netuid, hotkey)?.validatorPermit,
    isRegistered: (netuid: number) => async (hotkey: string) => !!node.neuron(netuid, hotkey),
  };
}
type Registry = ReturnType<typeof registry>;

interface SubnetOptions {
  port: number;
  host?: string;
  startBlock: number;
  startTime?: number;
  consoleUrl: string;
  minerToken: () => string | undefined;
  /** Whether the console answers yet (the training miners wait for it). */
  consoleUp: () => boolean;
}

/**
 * The devnet: a local subtensor chain whose subnets hold this console as a validator and the simulated
 * miners of each role (training miners that download, train, serve and submit through the console's
 * public API; compute machines with SSH servers; search miners over a corpus of real text), plus the
 * operator's own hotkeys and axons from DEVNET_*.
 */
export async function startLocalSubnet(
  opts: SubnetOptions,
): Promise<{ node: ChainNode; manifest: DevnetManifest; setHead(block: number): void; stop(): Promise<void> }> {
  const c = config();
  const node = new ChainNode({ blockTimeMs: c.BLOCK_TIME_MS, startBlock: opts.startBlock, tempo: c.SIM_TEMPO });
  const r = registry(node, devnetKeyring());
  const roles = registerConsole(r, Number(new URL(opts.consoleUrl).port));
  const trainer = new Trainer();
  const training = roleEnabled("validator") ? await startTrainingMiners(r, opts, trainer) : [];
  const compute = roleEnabled("compute") ? await startComputeMiners(r) : [];
  const search = roleEnabled("search") ? await startSearchMiners(r) : { miners: [], corpus: null, server: null };
  // Operators' own miners, with their axon, on the subnet of their role (NETUID without one).
  for (const a of c.DEVNET_MINER_AXONS) {
    const netuid = a.role ? netuidOf(a.role) : c.NETUID;
    if (node.neuron(netuid, a.hotkey)) continue;
    r.register(netuid, { ...r.miner(a.hotkey, a.port, a.host), coldkey: a.hotkey }, "operator's axon");
  }

  const off = node.onBlock(() => {
    if (opts.consoleUp()) for (const m of training) void m.onHead();
  });
  await node.start(opts.port, opts.host ?? "127.0.0.1", opts.startTime);
  const manifest: DevnetManifest = {
    endpoint: node.url,
    beacon: node.beacon.network,
    anchor: { block: opts.startBlock, time: opts.startTime ?? Date.now(), blockTimeMs: c.BLOCK_TIME_MS },
    subnets: [...node.subnets.values()].map((s) => ({
      netuid: s.netuid,
      roles: roles.get(s.netuid) ?? [],
      neurons: s.neurons.length,
    })),
    miners: [...node.subnets.values()].flatMap((s) =>
      s.neurons.map((n) => ({
        netuid: s.netuid,
        uid: n.uid,
        hotkey: n.hotkey,
        kind: r.kinds.get(`${s.netuid}:${n.hotkey}`) ?? "registered",
        axon: n.port ? `127.0.0.1:${n.port}` : null,
      })),
    ),
    hostKeys: compute.map((m) => ({ hotkey: m.hotkey, key: m.ssh.hostPublicKey })),
    corpus: search.corpus,
  };
  log.info({ endpoint: node.url, subnets: manifest.subnets }, "devnet running");
  return {
    node,
    manifest,
    setHead: (block) => node.setHead(block),
    async stop() {
      off();
      await node.stop();
      for (const m of [...training, ...compute, ...search.miners]) await m.stop();
      const server = search.server;
      server?.closeAllConnections();
      await new Promise((done) => (server ? server.close(done) : done(undefined)));
      await trainer.stop();
    },
  };
}

/** The console's hotkey is uid 0 with a permit on every subnet in use, serving at the console's port. */
function registerConsole(r: Registry, consolePort: number): Map<number, Role[]> {
  const c = config();
  const validator = consoleHotkey()?.address ?? r.keyring.addFromUri(DEVNET_VALIDATOR_URI).address;
  const roles = new Map<number, Role[]>();
  for (const role of c.ROLES) roles.set(netuidOf(role), [...(roles.get(netuidOf(role)) ?? []), role]);
  for (const netuid of roles.keys()) {
    r.node.addSubnet(netuid);
    r.register(
      netuid,
      {
        hotkey: validator,
        coldkey: r.keyring.addFromUri("//devnet-validator//cold").address,
        validatorPermit: true,
        stake: 1_000_000_000_000n,
        ip: IP_127_0_0_1,
        port: consolePort,
      },
      "validator (this console)",
    );
  }
  return roles;
}

/** Training miners (validator role). They call the console over plain HTTP: none when it serves TLS only. */
async function startTrainingMiners(r: Registry, opts: SubnetOptions, trainer: Trainer): Promise<DevnetMiner[]> {
  const c = config();
  const netuid = netuidOf("validator");
  const training: DevnetMiner[] = [];
  for (let i = 0; i < (c.TLS_CERT ? 0 : c.DEVNET_MINERS); i++) {
    const m = new DevnetMiner(r.keyring.addFromUri(`//devnet-miner-${i}`), i % c.EXPERT_GROUPS, behaviourOf(i), {
      consoleUrl: opts.consoleUrl,
      token: opts.minerToken,
      trainer,
      // Stronger and weaker trainers: different amounts of data and optimisation.
      trainSteps: 20 + 25 * (i % 4),
      samples: 32 + 32 * (i % 3),
      seed: i + 1,
      config: () => DEVNET_CONFIG,
      isValidator: r.isValidator(netuid),
    });
    await m.start();
    training.push(m);
    r.register(netuid, r.miner(m.hotkey, m.port), `training (${m.behaviour})`);
  }
  // A miner whose axon is down on purpose: published, nothing listening.
  r.register(
    netuid,
    r.miner(r.keyring.addFromUri("//devnet-miner-offline").address, await freeLoopbackPort()),
    "offline",
  );
  for (const h of c.DEVNET_MINER_HOTKEYS) r.register(netuid, { ...r.miner(h, null), coldkey: h }, "operator's miner");
  for (const h of c.DEVNET_VALIDATOR_HOTKEYS)
    r.register(
      netuid,
      { hotkey: h, coldkey: h, validatorPermit: true, stake: 1_000_000_000_000n },
      "operator's validator",
    );
  return training;
}

/** Compute machines: they report their Specs over the wire and take Proof of GPU over SSH. */
async function startComputeMiners(r: Registry): Promise<DevnetComputeMiner[]> {
  const netuid = netuidOf("compute");
  const compute: DevnetComputeMiner[] = [];
  for (let i = 0; i < config().DEVNET_COMPUTE_MINERS; i++) {
    const m = new DevnetComputeMiner(
      r.keyring.addFromUri(`//devnet-compute-${i}`),
      { ...DEVNET_MACHINES[i % DEVNET_MACHINES.length] },
      r.isRegistered(netuid),
    );
    await m.start();
    compute.push(m);
    r.register(netuid, r.miner(m.hotkey, m.port), `compute (${m.machine.label})`);
  }
  return compute;
}

/** Search miners over a corpus of real text, five behaviours; the corpus is served for the console's checks. */
async function startSearchMiners(r: Registry): Promise<{
  miners: DevnetSearchMiner[];
  corpus: DevnetManifest["corpus"];
  server: http.Server | null;
}> {
  const netuid = netuidOf("search");
  const miners: DevnetSearchMiner[] = [];
  for (let i = 0; i < config().DEVNET_SEARCH_MINERS; i++) {
    const behaviour = SEARCH_BEHAVIOURS[i % SEARCH_BEHAVIOURS.length]!;
    const m = new DevnetSearchMiner(r.keyring.addFromUri(`//devnet-search-${i}`), behaviour, r.isRegistered(netuid));
    await m.start();
    miners.push(m);
    r.register(netuid, r.miner(m.hotkey, m.port), `search (${behaviour})`);
  }
  if (!miners.length) return { miners, corpus: null, server: null };
  const server = await serveCorpus();
  const all = searchCorpus();
  const corpus = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    topics: all.topics(),
    accounts: [...new Set(all.posts.map((p) => p.user?.username ?? ""))].filter(Boolean),
  };
  return { miners, corpus, server };
}

/** The search corpus over loopback HTTP: GET /post/<id> and /page?link=<url> (JSON, 404 when unknown). */
async function serveCorpus(): Promise<http.Server> {
  const corpus = searchCorpus();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://devnet");
    const item =
      req.method !== "GET"
        ? undefined
        : url.pathname.startsWith("/post/")
          ? corpus.post(decodeURIComponent(url.pathname.slice(6)))
          : url.pathname === "/page"
            ? corpus.page(url.searchParams.get("link") ?? "")
            : undefined;
    res
      .writeHead(item ? 200 : 404, { "content-type": "application/json" })
      .end(JSON.stringify(item ?? { error: "not in the corpus" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return server;
}
