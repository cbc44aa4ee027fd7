/** The organic search API (role `search`, SN22's validator API): its face and its manifest. */
import { z } from "zod";
import { config } from "../env";
import { defineJob, defineModule } from "../module";
import { jobs } from "../jobs";
import { searchRoutes } from "./api";
import { flushQueries } from "./organic";
import { searchRouter } from "./router";
import { scoringEpoch } from "./scoring";
import { searchDendrite } from "./miners";

export { IsAliveSynapse, setSourceFetcher, setSyntheticTopics, type SourceFetcher } from "./scoring";
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
      run: async () => void (await scoringEpoch()),
    }),
  ],
  start: async () => {
    await jobs().enqueue(
      SEARCH_EPOCH_JOB,
      {},
      { uniqueKey: SEARCH_EPOCH_JOB, maxAttempts: 1_000_000, runAt: new Date(Date.now() + 3000) },
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
