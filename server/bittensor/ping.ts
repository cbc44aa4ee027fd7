/** The ping job: every serving axon of the metagraph gets a signed /Synapse from this console's dendrite. */
import { listNeurons } from "../chain";
import { db } from "../db";
import { config } from "../env";
import { lazy } from "../global";
import { log } from "../log";
import { Dendrite, type AxonInfo } from "./dendrite";
import { consoleHotkey } from "./identity";
import { PingSynapse } from "./synapse";
import { verifyHotkeySignatureOffThread } from "../crypto/verifier";

export const MINER_PING = "network.ping";
const PING_TIMEOUT_S = 5;
const PING_CONCURRENCY = 32;

/** One dendrite per process: one keep-alive pool for every call to miners. */
export const dendrite = lazy<Dendrite | null>(() => {
  const signer = consoleHotkey();
  // Answer signatures are checked in the console's verification worker: a few hundred axons cost about a
  // second of WASM, which would otherwise block the event loop.
  return signer
    ? new Dendrite({
        signer,
        externalIp: config().EXTERNAL_IP,
        maxSocketsPerAxon: 4,
        verifier: verifyHotkeySignatureOffThread,
        onBadSignature: reportBadAnswerSignature,
      })
    : null;
});

const badSignatureLogged = lazy(() => new Map<string, number>());

/**
 * An axon whose answer signature did not verify (a miner answering for a hotkey it does not hold, or a broken
 * one): a warning, at most once a minute per hotkey. Callers keep the call's answer (upstream never checks).
 */
export function reportBadAnswerSignature(axon: AxonInfo): void {
  const seen = badSignatureLogged();
  const now = Date.now();
  if ((seen.get(axon.hotkey) ?? 0) > now - 60_000) return;
  if (seen.size > 10_000) seen.clear();
  seen.set(axon.hotkey, now);
  log.warn({ hotkey: axon.hotkey, axon: `${axon.ip}:${axon.port}` }, "an axon's answer signature did not verify");
}

/** The axon a neuron serves, or null when it publishes none (ip 0 or port 0). */
export function axonOf(n: { hotkey: string; axonIp: string | null; axonPort: number | null }): AxonInfo | null {
  if (!n.axonIp || !n.axonPort || n.axonIp === "0.0.0.0") return null;
  return { ip: n.axonIp, port: n.axonPort, hotkey: n.hotkey };
}

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
