/**
 * The scoring epoch against the devnet's search miners (real axons, the real corpus and index): each
 * behaviour loses points for what it does wrong, the state and windows follow upstream's rules, and
 * /public/miners applies the 4 h activity rule and the 72 h windows on a fake clock.
 */
import { Keyring } from "@polkadot/keyring";
import { beforeAll, describe, expect, it } from "vitest";
import { Axon } from "@/server/bittensor";
import { netuidOf } from "@/server/env";
import { streamDendrite } from "@/server/bittensor";
import { candidateCache } from "@/server/search/miners";
import { minerDetail, minerList } from "@/server/search/public";
import { scoringEpoch } from "@/server/search/scoring";
import { searchWeights } from "@/server/search/weights";
import { setSourceFetcher } from "@/server/search";
import { searchCorpus } from "@/server/devnet/search-corpus";
import { DevnetSearchMiner, type SearchBehaviour } from "@/server/devnet/search-miner";
import { flushQueries } from "@/server/search/query-log";
import { inProcessRuntime, registerAxons } from "../support/in-process";
import { freePort } from "../support/ports";

const rt = inProcessRuntime({ SEARCH_NETUID: "22", VALIDATOR_HOTKEY_SEED: "//SearchValidator" });
const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
let goesAway: () => Promise<void> = async () => {};
const hotkeys = {} as Record<SearchBehaviour | "closed" | "other", string>;

beforeAll(async () => {
  const axons: Array<{ hotkey: string; port: number }> = [];
  for (const b of ["good", "slow", "inventor", "dropper", "offline"] as const) {
    // "offline" answers the first epoch, then goes away.
    const m = new DevnetSearchMiner(keyring.addFromUri(`//score-${b}`), b, async () => true, {
      offlineAfterMs: 600_000,
    });
    await m.start();
    rt.stops.push(() => m.stop());
    if (b === "offline") goesAway = () => m.stop();
    hotkeys[b] = m.hotkey;
    axons.push({ hotkey: m.hotkey, port: m.port });
  }
  // Published, nothing listens: never a search miner as far as the console can tell.
  hotkeys.closed = keyring.addFromUri("//score-closed").address;
  axons.push({ hotkey: hotkeys.closed, port: await freePort() });
  // An axon of another role on the same subnet: it does not serve IsAlive.
  const other = new Axon({ signer: keyring.addFromUri("//score-other") });
  hotkeys.other = keyring.addFromUri("//score-other").address;
  axons.push({ hotkey: hotkeys.other, port: await other.listen(0) });
  rt.stops.push(() => other.close());
  await registerAxons(rt.db, netuidOf("search"), axons);
  const corpus = searchCorpus();
  setSourceFetcher({ tweet: async (id) => corpus.post(id) ?? null, page: async (l) => corpus.page(l) ?? null });
  rt.stops.push(async () => (setSourceFetcher(null), streamDendrite.peek()?.close()));
}, 30_000);

describe("a scoring epoch over the devnet's behaviours", () => {
  it("separates good, slow, inventing, dropping and offline miners, and leaves other roles' axons alone", async () => {
    const topics = () => ({ topics: ["parser", "stream", "glob"], accounts: ["acorn"] });
    const first = await scoringEpoch(new Date(), topics);
    expect(first.miners).toBe(5);
    await flushQueries();
    const state = async (b: keyof typeof hotkeys) =>
      Object.fromEntries(
        (await rt.db.searchMinerState.findMany({ where: { hotkey: hotkeys[b] } })).map((s) => [s.searchType, s]),
      );
    const good = await state("good");
    const slow = await state("slow");
    const inventor = await state("inventor");
    const dropper = await state("dropper");
    const offline = await state("offline");
    expect(await state("other")).toEqual({});
    expect(await state("closed")).toEqual({});
    // One window each so far: quality_avg = 0.5 x score.
    for (const t of ["web_search", "x_search", "ai_search"]) {
      expect(good[t].qualityAvg, `good ${t}`).toBeGreaterThan(0.45);
      expect(good[t].declared).toBe(4);
      expect(inventor[t].qualityAvg, `inventor ${t}`).toBeLessThan(good[t].qualityAvg);
      expect(offline[t].unreachableSince).toBeNull();
      expect(good[t].unreachableSince).toBeNull();
    }
    expect(slow.ai_search.qualityAvg).toBeLessThan(good.ai_search.qualityAvg);
    expect(dropper.ai_search.qualityAvg).toBe(0);
    const reasons = await rt.db.searchQuery.findMany({ where: { kind: "synthetic" } });
    const why = (b: keyof typeof hotkeys, t: string) =>
      reasons.find((r) => r.hotkey === hotkeys[b] && r.searchType === t)?.reason ?? "";
    expect(why("dropper", "ai_search")).toContain("without its completion");
    expect(why("inventor", "web_search")).toContain("cannot be fetched");

    // The "offline" miner goes away; a second epoch: it is unreachable and scores 0, the EMA moves halfway,
    // capacity ramps for miners that pass every type.
    await goesAway();
    await scoringEpoch(new Date(Date.now() + 1000), topics);
    await flushQueries();
    const gone = await state("offline");
    for (const t of ["web_search", "x_search", "ai_search"]) {
      expect(gone[t].unreachableSince).not.toBeNull();
      expect(gone[t].qualityAvg).toBeCloseTo(offline[t].qualityAvg / 2);
    }
    expect(
      (
        await rt.db.searchQuery.findMany({
          where: { hotkey: hotkeys.offline, kind: "synthetic" },
          orderBy: { id: "desc" },
        })
      )[0].reason,
    ).toContain("unreachable");
    const good2 = await state("good");
    expect(good2.web_search.qualityAvg).toBeGreaterThan(good.web_search.qualityAvg);
    const passedAll = ["web_search", "x_search", "ai_search"].every(
      (t) => good2[t].qualityAvg >= (t === "ai_search" ? 0.5 : 0.6),
    );
    expect(good2.web_search.verified).toBe(passedAll ? 2 : 1);
    expect((await state("dropper")).ai_search.verified).toBe(1);
    // Routing follows: unreachable miners get no weight, the others are weighed by quality.
    candidateCache().invalidate();
    const { candidates } = await import("@/server/search/miners");
    const weights = Object.fromEntries((await candidates("ai_search")).map((c) => [c.axon.hotkey, c.weight]));
    expect(weights[hotkeys.offline]).toBe(0);
    expect(weights[hotkeys.other]).toBeUndefined();
    expect(weights[hotkeys.closed]).toBeUndefined();
    expect(weights[hotkeys.good]).toBeGreaterThan(weights[hotkeys.dropper]);
    // Weights: pool shares split by gate x quality^3 x verified^2; nothing for miners that fail every gate.
    const byUid = await searchWeights();
    const uidOf = new Map((await rt.db.neuron.findMany({ where: { netuid: 22 } })).map((n) => [n.hotkey, n.uid]));
    const total = [...byUid.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-9);
    expect(byUid.get(uidOf.get(hotkeys.good)!)).toBeGreaterThan(0);
    expect(byUid.get(uidOf.get(hotkeys.offline)!) ?? 0).toBe(0);
    expect(byUid.get(uidOf.get(hotkeys.good)!)!).toBeGreaterThan(byUid.get(uidOf.get(hotkeys.dropper)!) ?? 0);
  }, 90_000);

  it("/public/miners lists miners updated in the last 4 hours, windows of the last 72 hours", async () => {
    const now = Date.now();
    const list = await minerList(now);
    expect(list.miners.map((m) => m.uid)).toEqual([...list.miners.map((m) => m.uid)].sort((a, b) => a - b));
    expect(list.miners.map((m) => m.hotkey)).toContain(hotkeys.good);
    expect(list.validator).toMatchObject({ uid: 0, netuid: 22 });
    // 4 hours later nobody has been updated: the list is empty; the detail still answers.
    expect((await minerList(now + 4 * 3_600_000 + 60_000)).miners).toEqual([]);
    const detail = await minerDetail(hotkeys.good, now);
    expect(detail.miner.windows.web_search).toHaveLength(2);
    expect((await minerDetail(hotkeys.good, now + 73 * 3_600_000)).miner.windows.web_search).toEqual([]);
    await expect(minerDetail("5Nobody")).rejects.toMatchObject({ status: 404, message: "Miner not found" });
  });
});

describe("organic answers", () => {
  it("are scored like synthetic ones and count in the miner's next window", async () => {
    const { candidates } = await import("@/server/search/miners");
    const { recordOrganic } = await import("@/server/search/query-log");
    const { searchObjects, streamFields } = await import("@/server/search/relay");
    const ask = async (hotkey: string, prompt: string) => {
      const miner = (await candidates("ai_search")).find((c) => c.axon.hotkey === hotkey)!;
      const fields = streamFields({
        prompt,
        tools: ["Twitter Search", "Web Search"],
        count: 10,
        date_filter: "PAST_MONTH",
      });
      let outcome: Parameters<typeof recordOrganic>[2] | null = null;
      for await (const _ of searchObjects(fields, new AbortController().signal, (o) => (outcome = o), miner)) {
        // streamed
      }
      recordOrganic("/search", fields, outcome!);
    };
    await ask(hotkeys.good, "parser");
    await ask(hotkeys.inventor, "parser");
    let rows: Array<{ hotkey: string | null; score: number | null }> = [];
    for (let i = 0; i < 50 && rows.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await flushQueries();
      rows = await rt.db.searchQuery.findMany({ where: { kind: "organic" } });
    }
    const score = (h: string) => rows.find((r) => r.hotkey === h)!.score!;
    expect(score(hotkeys.good)).toBeGreaterThan(0.9);
    expect(score(hotkeys.inventor)).toBeLessThan(0.6);
    await scoringEpoch(new Date(Date.now() + 2000), () => ({ topics: ["parser"], accounts: ["acorn"] }));
    const window = await rt.db.searchWindow.findFirst({
      where: { hotkey: hotkeys.good, searchType: "ai_search" },
      orderBy: { windowStart: "desc" },
    });
    expect(window!.queries).toBe(2);
  }, 60_000);
});
