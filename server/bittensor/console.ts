/**
 * The console's end of the wire: its dendrites, one per purpose, each signing with the console's hotkey.
 * Answer signatures are checked in the console's verification worker: a few hundred axons cost about a
 * second of WASM, which would otherwise block the event loop.
 */
import { verifyHotkeySignatureOffThread } from "../crypto/verifier";
import { config } from "../env";
import { UnavailableError } from "../errors";
import { lazy } from "../global";
import { log } from "../log";
import { Dendrite, type AxonInfo } from "./dendrite";
import { consoleHotkey } from "./identity";

function consoleDendrite(maxSocketsPerAxon: number): Dendrite | null {
  const signer = consoleHotkey();
  return signer
    ? new Dendrite({
        signer,
        externalIp: config().EXTERNAL_IP,
        maxSocketsPerAxon,
        verifier: verifyHotkeySignatureOffThread,
        onBadSignature: reportBadAnswerSignature,
      })
    : null;
}

/** Jobs' calls to miners (pings, specs, allocations, scoring): one keep-alive pool, a few sockets per miner. */
export const dendrite = lazy<Dendrite | null>(() => consoleDendrite(4));

/** Organic search streams: many run side by side to one miner, so many sockets per miner. */
export const streamDendrite = lazy<Dendrite | null>(() => consoleDendrite(512));

/** A dendrite, or 503 when this console has no hotkey to call miners with. */
export function requireDendrite(d: Dendrite | null): Dendrite {
  if (!d) throw new UnavailableError("This console has no hotkey to call miners with");
  return d;
}

/** Closes every dendrite this process opened (at shutdown). */
export function closeDendrites(): void {
  dendrite.peek()?.close();
  streamDendrite.peek()?.close();
}

const badSignatureLogged = lazy(() => new Map<string, number>());

/**
 * An axon whose answer signature did not verify (a miner answering for a hotkey it does not hold, or a broken
 * one): a warning, at most once a minute per hotkey. Callers keep the call's answer (upstream never checks).
 */
function reportBadAnswerSignature(axon: AxonInfo): void {
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
