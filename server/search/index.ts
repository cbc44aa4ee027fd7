/** The organic search API (role `search`, SN22's validator API): its face and its manifest. */
import { z } from "zod";
import { config } from "../env";
import { defineJob, defineModule } from "../module";
import { jobs } from "../jobs";
import { searchRoutes } from "./api";
import { flushQueries } from "./query-log";
import { searchRouter } from "./router";
import { scoringEpoch } from "./scoring";
import { searchDendrite } from "./miners";
import { SEARCH_WEIGHTS_JOB, setSearchWeights } from "./weights";

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
export const searchEpochS = () => config().SEARCH_EPOCH_S ?? (config().devnet ? 20 : 3600);

export const searchModule = defineModule({
  name: "search",
  role: "search",
  title: "Organic search API",
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
      run: async () => void (await scoringEpoch()),
    }),
    defineJob({
      kind: SEARCH_WEIGHTS_JOB,
      payload: z.object({}),
      everyMs: () => config().WEIGHTS_INTERVAL_BLOCKS * config().BLOCK_TIME_MS,
      run: async () => void (await setSearchWeights()),
    }),
  ],
  start: async () => {
    await jobs().enqueue(
      SEARCH_EPOCH_JOB,
      {},
      { uniqueKey: SEARCH_EPOCH_JOB, maxAttempts: 1_000_000, runAt: new Date(Date.now() + 3000) },
    );
    const c = config();
    if (c.SET_WEIGHTS)
      await jobs().enqueue(
        SEARCH_WEIGHTS_JOB,
        {},
        {
          uniqueKey: SEARCH_WEIGHTS_JOB,
          maxAttempts: 1_000_000,
          runAt: new Date(Date.now() + c.WEIGHTS_INTERVAL_BLOCKS * c.BLOCK_TIME_MS),
        },
      );
    return async () => {
      await flushQueries();
      searchDendrite.peek()?.close();
    };
  },
  nav: [
    { href: "/search-playground", label: "Search" },
    { href: "/search-miners", label: "Search miners" },
  ],
});
