/** The ping job: every serving axon of the metagraph gets a signed /Synapse from this console's dendrite. */
import { axonOf, dendrite, PingSynapse, type AxonInfo } from "../bittensor";
import { listNeurons } from "../chain";
import { db } from "../db";
import { config } from "../env";
import { log } from "../log";

export const MINER_PING = "network.ping";
const PING_TIMEOUT_S = 5;
const PING_CONCURRENCY = 32;

export async function pingMiners(): Promise<{ pinged: number; ok: number }> {
  let pinged = 0;
  let ok = 0;
  for (const netuid of config().netuidsInUse) {
    const r = await pingSubnet(netuid);
    pinged += r.pinged;
    ok += r.ok;
  }
  return { pinged, ok };
}

async function pingSubnet(netuid: number): Promise<{ pinged: number; ok: number }> {
  const d = dendrite();
  if (!d) return { pinged: 0, ok: 0 };
  const axons = (await listNeurons(netuid)).map(axonOf).filter((a): a is AxonInfo => a !== null);
  const results = await d.forward(axons, PingSynapse, {}, { timeout: PING_TIMEOUT_S, concurrency: PING_CONCURRENCY });
  const at = new Date();
  for (const r of results) {
    const row = {
      ip: r.axon.ip,
      port: r.axon.port,
      status: r.status,
      message: r.message.slice(0, 500),
      rttMs: Math.round(r.latencyMs * 10) / 10,
      signatureValid: r.signatureValid,
      at,
    };
    const ok = r.status === 200 ? { lastOkAt: at } : {};
    await db().axonPing.upsert({
      where: { netuid_hotkey: { netuid, hotkey: r.axon.hotkey } },
      create: { netuid, hotkey: r.axon.hotkey, ...row, ...ok },
      update: { ...row, ...ok },
    });
  }
  const okCount = results.filter((r) => r.status === 200).length;
  log.debug({ netuid, pinged: results.length, ok: okCount }, "pinged miners' axons");
  return { pinged: results.length, ok: okCount };
}

/** The last ping of every neuron of the subnet, by hotkey. */
export async function lastPings(netuid = config().NETUID) {
  const rows = await db().axonPing.findMany({ where: { netuid } });
  return new Map(rows.map((r) => [r.hotkey, r]));
}
