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

/**
 * The devnet: a local subtensor chain whose subnets hold this console as a validator and the simulated
 * miners of each role (training miners that download, train, serve and submit through the console's
 * public API; compute machines with SSH servers; search miners over a corpus of real text), plus the
 * operator's own hotkeys and axons from DEVNET_*.
 */
export async function startLocalSubnet(opts: {
  port: number;
  host?: string;
  startBlock: number;
  startTime?: number;
  consoleUrl: string;
  minerToken: () => string | undefined;
  /** Whether the console answers yet (the training miners wait for it). */
  consoleUp: () => boolean;
}): Promise<{ node: ChainNode; manifest: DevnetManifest; setHead(block: number): void; stop(): Promise<void> }> {
  const c = config();
  const keyring = devnetKeyring();
  const node = new ChainNode({ blockTimeMs: c.BLOCK_TIME_MS, startBlock: opts.startBlock, tempo: c.SIM_TEMPO });
  const kinds = new Map<string, string>();
  const register = (netuid: number, n: Omit<NodeNeuron, "uid">, kind: string) => {
    kinds.set(`${netuid}:${n.hotkey}`, kind);
    return node.register(netuid, n);
  };
  const cold = (hotkey: string) => keyring.addFromUri(`//devnet-cold-${hotkey.slice(0, 6)}`).address;
  const miner = (hotkey: string, port: number | null, host = "127.0.0.1"): Omit<NodeNeuron, "uid"> => ({
    hotkey,
    coldkey: cold(hotkey),
    validatorPermit: false,
    stake: 0n,
    ...(port ? { ip: ipOf(host), port } : {}),
  });

  // The console's hotkey is uid 0 with a permit on every subnet in use, serving at the console's port.
  const validator = consoleHotkey()?.address ?? keyring.addFromUri(DEVNET_VALIDATOR_URI).address;
  const consolePort = Number(new URL(opts.consoleUrl).port);
  const roles = new Map<number, Role[]>();
  for (const role of c.ROLES) roles.set(netuidOf(role), [...(roles.get(netuidOf(role)) ?? []), role]);
  for (const netuid of roles.keys()) {
    node.addSubnet(netuid);
    register(
      netuid,
      {
        hotkey: validator,
        coldkey: keyring.addFromUri("//devnet-validator//cold").address,
        validatorPermit: true,
        stake: 1_000_000_000_000n,
        ip: IP_127_0_0_1,
        port: consolePort,
      },
      "validator (this console)",
    );
  }
  const isValidator = (netuid: number) => async (hotkey: string) => !!node.neuron(netuid, hotkey)?.validatorPermit;
  const isRegistered = (netuid: number) => async (hotkey: string) => !!node.neuron(netuid, hotkey);

  // Training miners (validator role). They call the console over plain HTTP: none when it serves TLS only.
  const trainer = new Trainer();
  const training: DevnetMiner[] = [];
  if (roleEnabled("validator")) {
    const netuid = netuidOf("validator");
    for (let i = 0; i < (c.TLS_CERT ? 0 : c.DEVNET_MINERS); i++) {
      const m = new DevnetMiner(keyring.addFromUri(`//devnet-miner-${i}`), i % c.EXPERT_GROUPS, behaviourOf(i), {
        consoleUrl: opts.consoleUrl,
        token: opts.minerToken,
        trainer,
        // Stronger and weaker trainers: different amounts of data and optimisation.
        trainSteps: 20 + 25 * (i % 4),
        samples: 32 + 32 * (i % 3),
        seed: i + 1,
        config: () => DEVNET_CONFIG,
        isValidator: isValidator(netuid),
      });
      await m.start();
      training.push(m);
      register(netuid, miner(m.hotkey, m.port), `training (${m.behaviour})`);
    }
    // A miner whose axon is down on purpose: published, nothing listening.
    register(netuid, miner(keyring.addFromUri("//devnet-miner-offline").address, await freeLoopbackPort()), "offline");
    for (const h of c.DEVNET_MINER_HOTKEYS) register(netuid, { ...miner(h, null), coldkey: h }, "operator's miner");
    for (const h of c.DEVNET_VALIDATOR_HOTKEYS)
      register(
        netuid,
        { hotkey: h, coldkey: h, validatorPermit: true, stake: 1_000_000_000_000n },
        "operator's validator",
      );
  }

  // Compute machines: they report their Specs over the wire and take Proof of GPU over SSH.
  const compute: DevnetComputeMiner[] = [];
  if (roleEnabled("compute")) {
    const netuid = netuidOf("compute");
    for (let i = 0; i < c.DEVNET_COMPUTE_MINERS; i++) {
      const m = new DevnetComputeMiner(
        keyring.addFromUri(`//devnet-compute-${i}`),
        { ...DEVNET_MACHINES[i % DEVNET_MACHINES.length] },
        isRegistered(netuid),
      );
      await m.start();
      compute.push(m);
      register(netuid, miner(m.hotkey, m.port), `compute (${m.machine.label})`);
    }
  }

  // Search miners over a corpus of real text, five behaviours; the corpus is served for the console's checks.
  const search: DevnetSearchMiner[] = [];
  let corpus: DevnetManifest["corpus"] = null;
  let corpusServer: http.Server | null = null;
  if (roleEnabled("search")) {
    const netuid = netuidOf("search");
    for (let i = 0; i < c.DEVNET_SEARCH_MINERS; i++) {
      const behaviour = SEARCH_BEHAVIOURS[i % SEARCH_BEHAVIOURS.length]!;
      const m = new DevnetSearchMiner(keyring.addFromUri(`//devnet-search-${i}`), behaviour, isRegistered(netuid));
      await m.start();
      search.push(m);
      register(netuid, miner(m.hotkey, m.port), `search (${behaviour})`);
    }
    if (search.length) {
      corpusServer = await serveCorpus();
      const all = searchCorpus();
      corpus = {
        url: `http://127.0.0.1:${(corpusServer.address() as AddressInfo).port}`,
        topics: all.topics(),
        accounts: [...new Set(all.posts.map((p) => p.user?.username ?? ""))].filter(Boolean),
      };
    }
  }

  // Operators' own miners, with their axon, on the subnet of their role (NETUID without one).
  for (const a of c.DEVNET_MINER_AXONS) {
    const netuid = a.role ? netuidOf(a.role) : c.NETUID;
    if (node.neuron(netuid, a.hotkey)) continue;
    register(netuid, { ...miner(a.hotkey, a.port, a.host), coldkey: a.hotkey }, "operator's axon");
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
        kind: kinds.get(`${s.netuid}:${n.hotkey}`) ?? "registered",
        axon: n.port ? `127.0.0.1:${n.port}` : null,
      })),
    ),
    hostKeys: compute.map((m) => ({ hotkey: m.hotkey, key: m.ssh.hostPublicKey })),
    corpus,
  };
  log.info({ endpoint: node.url, subnets: manifest.subnets }, "devnet running");
  return {
    node,
    manifest,
    setHead: (block) => node.setHead(block),
    async stop() {
      off();
      await node.stop();
      for (const m of [...training, ...compute, ...search]) await m.stop();
      corpusServer?.closeAllConnections();
      await new Promise((r) => (corpusServer ? corpusServer.close(r) : r(undefined)));
      await trainer.stop();
    },
  };
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
