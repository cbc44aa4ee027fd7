/**
 * The scoring epoch (hourly upstream; SEARCH_EPOCH_S): every search miner is asked IsAlive (its declared
 * concurrency), then gets one synthetic query per search type (synthetic.ts), and its window closes with the
 * quality EMA, the pass gate and the verified-capacity ramp (windows.ts), as upstream.
 */
import { z } from "zod";
import { listNeurons } from "../chain";
import { axonOf, consoleHotkey, defineSynapse } from "../bittensor";
import { db } from "../db";
import { netuidOf } from "../env";
import { log } from "../log";
import { mapPool } from "../pool";
import { fetcher } from "./checks";
import { candidateCache, requireSearchDendrite, type Candidate } from "./miners";
import { SEARCH_TYPES } from "./protocol";
import { flushQueries } from "./query-log";
import { defaultTopics, syntheticScores, type Topics } from "./synthetic";
import { closeWindow } from "./windows";

/** Upstream's liveness synapse; `manifest.concurrency` declares what the miner can serve per search type. */
export const IsAliveSynapse = defineSynapse({
  name: "IsAlive",
  request: { answer: z.string().nullable().default(null), completion: z.string().default("") },
  response: { manifest: z.record(z.string(), z.unknown()).nullable().optional() },
});

/** One epoch over every serving search miner. */
export async function scoringEpoch(
  now = new Date(),
  topics: Topics = defaultTopics,
): Promise<{ miners: number; queries: number }> {
  const netuid = netuidOf("search");
  // Organic answers recorded so far count in this epoch's windows.
  await flushQueries();
  const me = consoleHotkey()?.address;
  const neurons = (await listNeurons(netuid)).filter((n) => !n.validatorPermit && n.hotkey !== me && axonOf(n));
  const miners: Candidate[] = neurons.map((n) => ({ axon: axonOf(n)!, uid: n.uid, coldkey: n.coldkey, weight: 0 }));
  const alive = await requireSearchDendrite().forward(
    miners.map((m) => m.axon),
    IsAliveSynapse,
    { answer: null, completion: "" },
    { timeout: 5, concurrency: 32 },
  );
  const f = fetcher();
  const words = topics();
  // A search miner is one that has answered IsAlive once: other axons on a shared subnet (another role's
  // miners) get no state. A known miner that stops answering is marked unreachable.
  const known = new Set(
    (await db().searchMinerState.findMany({ where: { netuid }, select: { hotkey: true } })).map((r) => r.hotkey),
  );
  const scored = miners.flatMap((m, i) => (alive[i].status === 200 || known.has(m.axon.hotkey) ? [{ m, i }] : []));
  // A few miners at once: each runs its three queries in turn.
  await mapPool(scored, 8, async ({ m, i }) => {
    const scores = await syntheticScores(m, alive[i], words, f);
    const reachable = alive[i].status === 200;
    await closeWindow({ netuid, miner: m, reachable, manifest: alive[i].response?.manifest, scores, windowStart: now });
  });
  const queries = scored.length * SEARCH_TYPES.length;
  // Upstream's retention: windows older than 72 h go.
  await db().searchWindow.deleteMany({
    where: { netuid, windowStart: { lt: new Date(now.getTime() - 72 * 3_600_000) } },
  });
  candidateCache().invalidate();
  log.info({ miners: scored.length, queries }, "search: scoring epoch done");
  return { miners: scored.length, queries };
}
