/**
 * The runtime's own view of the network, whatever roles are on: the metagraph, read from the chain every
 * METAGRAPH_REFRESH_S, and every serving axon pinged every MINER_PING_S (the outcome per miner: lastPings).
 */
import { z } from "zod";
import { refreshMetagraph } from "../chain";
import { config } from "../env";
import { log } from "../log";
import { defineJob, definePart } from "../module";
import { MINER_PING, pingMiners } from "./ping";

export { lastPings } from "./ping";

export const METAGRAPH_REFRESH = "chain.metagraph.refresh";

export const networkPart = definePart({
  name: "network",
  jobs: [
    defineJob({
      kind: METAGRAPH_REFRESH,
      payload: z.object({}),
      everyMs: () => config().METAGRAPH_REFRESH_S * 1000,
      run: async () => log.info(await refreshMetagraph(), "metagraph refreshed"),
    }),
    defineJob({
      kind: MINER_PING,
      payload: z.object({}),
      everyMs: () => config().MINER_PING_S * 1000,
      onMetagraph: true,
      run: async () => void (await pingMiners()),
    }),
  ],
});
