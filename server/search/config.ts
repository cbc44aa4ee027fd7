/** The organic search API's own variables (its access key is in the base configuration: Settings manages it). */
import { z } from "zod";
import { moduleConfig } from "../env";

export const searchConfig = moduleConfig(
  z.object({
    /** Ask a second search miner when the first has sent nothing after this many ms (unset: off). */
    SEARCH_HEDGE_MS: z.coerce.number().int().min(1).max(600_000).optional(),
    /** Seconds between scoring epochs of synthetic queries (3600; 20 on the devnet). */
    SEARCH_EPOCH_S: z.coerce.number().int().min(5).max(86_400).optional(),
    /** A command that fetches a sampled link or tweet for the truthfulness check (JSON on stdin and stdout). */
    SEARCH_SCORER_CMD: z.string().max(4096).optional(),
  }),
);
