/** The organic search API (role `search`, SN22's validator API): its face and its manifest. */
import { z } from "zod";
import { config } from "../env";
import { defineJob, defineModule } from "../module";
import { searchRoutes } from "./api";
import { useDevnetCorpus } from "./devnet-corpus";
import { flushQueries } from "./query-log";
import { searchRouter } from "./router";
import { scoringEpoch } from "./scoring";
import { SEARCH_WEIGHTS_JOB, setSearchWeights } from "./weights";
import { searchConfig } from "./config";

export { setSourceFetcher, type SourceFetcher } from "./checks";
export { IsAliveSynapse } from "./scoring";
export { setSyntheticTopics } from "./synthetic";
export {
  ScraperStreamingSynapse,
  TwitterIDSearchSynapse,
  TwitterSearchSynapse,
  TwitterURLsSearchSynapse,
  WebSearchSynapse,
  type Tweet,
  type WebResult,
} from "./protocol";

export const SEARCH_EPOCH_JOB = "search.epoch";

/** Seconds between scoring epochs: SEARCH_EPOCH_S, else an hour (20 s on the devnet). */
export const searchEpochS = () => searchConfig().SEARCH_EPOCH_S ?? (config().devnet ? 20 : 3600);

export const searchModule = defineModule({
  name: "search",
  role: "search",
  title: "Organic search API",
  config: searchConfig,
  docs: 'Organic search (SN22\'s validator API): the access-key header (EXPECTED_ACCESS_KEY; unset: 403, wrong: 401); errors are FastAPI\'s {"detail"}. /search streams SSE exactly as upstream frames it (data: <json.dumps line>, a blank line, no event names; errors as data: {"error": ...}), flushed chunk by chunk and cancelled when the client leaves. One miner per query, weighted by max(quality, 0.1)^3 x max(verified, 1)^2; SEARCH_HEDGE_MS asks a second miner when the first is silent. Unlike upstream, a failing miner answers 502 and no miner 503 (upstream: 500), and miner_link_scores events are relayed. GET / with an access-key header is the search health check; without it, the phase service.',
  routes: searchRoutes,
  router: searchRouter,
  jobs: [
    defineJob({
      kind: SEARCH_EPOCH_JOB,
      payload: z.object({}),
      everyMs: () => searchEpochS() * 1000,
      leaseMs: 10 * 60_000,
      // Waits on every miner (each call by its deadline): in a lane of its own.
      lane: "search",
      firstRunAfterMs: () => 3000,
      run: async () => void (await scoringEpoch()),
    }),
    defineJob({
      kind: SEARCH_WEIGHTS_JOB,
      payload: z.object({}),
      everyMs: () => config().WEIGHTS_INTERVAL_BLOCKS * config().BLOCK_TIME_MS,
      firstRunAfterMs: () => config().WEIGHTS_INTERVAL_BLOCKS * config().BLOCK_TIME_MS,
      enabled: () => config().SET_WEIGHTS,
      run: async () => void (await setSearchWeights()),
    }),
  ],
  useDevnet: (d) => useDevnetCorpus(d.corpus),
  start: async () => {
    return async () => void (await flushQueries());
  },
  nav: [
    { href: "/search-playground", label: "Search" },
    { href: "/search-miners", label: "Search miners" },
  ],
});
