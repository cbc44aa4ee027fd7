import { apiRoute } from "../rest/api-route";
import { bootstrapPeers, currentPhase, nextPhases, previousPhases, schedule, serviceInfo } from "./oracle";
import { blocksUntilNextPhase, phaseAt, previousPhaseBlocks } from "./schedule";
import { nextPhasesSchema, peersSchema, phaseSchema, previousPhasesSchema, serviceInfoSchema } from "./schemas";

const common = { module: "owner", format: "fastapi", tags: ["Phase oracle"], method: "GET" } as const;
const invalidBlock = { 400: "Invalid block input: the chain head is not known yet" };
/** Examples are the oracle's own answers at the seed's sample block, on this console's schedule. */
const SAMPLE_BLOCK = 54305;
const curl = (path: string) => `curl -sS "http://localhost:3000${path}"`;

export const serviceInfoRoute = apiRoute({
  ...common,
  path: "/",
  summary: "Service information and the full phase schedule",
  description: "API clients get this JSON; browsers (Accept: text/html) get the dashboard at the same path.",
  response: { description: "The schedule", schema: serviceInfoSchema },
  examples: () => ({ response: serviceInfo(), curl: curl("/") }),
  handler: () => serviceInfo(),
});

export const getPhaseRoute = apiRoute({
  ...common,
  path: "/get_phase",
  summary: "The current phase at the chain head",
  response: { description: "The current phase", schema: phaseSchema },
  errors: invalidBlock,
  examples: () => ({ response: phaseAt(SAMPLE_BLOCK, schedule()), curl: curl("/get_phase") }),
  handler: () => currentPhase(),
});

export const blocksUntilNextPhaseRoute = apiRoute({
  ...common,
  path: "/blocks_until_next_phase",
  summary: "When each phase next occurs",
  description:
    "For each phase [start_block, end_block, blocks_until]. A phase whose start lies at or after the current position in the cycle is this cycle's occurrence, otherwise next cycle's; so the current phase appears with 0 only on its first block. (The seed's sample at block 54305 was not produced by one consistent rule; this is the rule running clients depend on.)",
  response: { description: "Next occurrence of every phase", schema: nextPhasesSchema },
  errors: invalidBlock,
  examples: () => ({
    response: blocksUntilNextPhase(SAMPLE_BLOCK, schedule()),
    curl: curl("/blocks_until_next_phase"),
  }),
  handler: () => nextPhases(),
});

export const previousPhaseBlocksRoute = apiRoute({
  ...common,
  path: "/previous_phase_blocks",
  summary: "Block ranges of each phase one cycle back",
  description:
    "Each entry is the /blocks_until_next_phase entry shifted back by one cycle length, so it can be the occurrence in progress.",
  response: { description: "Previous occurrence of every phase", schema: previousPhasesSchema },
  errors: invalidBlock,
  examples: () => ({
    response: previousPhaseBlocks(SAMPLE_BLOCK, schedule()),
    curl: curl("/previous_phase_blocks"),
  }),
  handler: () => previousPhases(),
});

export const initPeerIdRoute = apiRoute({
  ...common,
  path: "/get_init_peer_id",
  summary: "DHT bootstrap multiaddresses",
  description: "Configured peers (BOOTSTRAP_PEERS) followed by those an admin added on the dashboard.",
  response: { description: "Multiaddresses", schema: peersSchema },
  examples: {
    response: ["/ip4/203.0.113.1/tcp/4001/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN"],
    curl: curl("/get_init_peer_id"),
  },
  handler: () => bootstrapPeers(),
});

export const phaseRoutes = [
  serviceInfoRoute,
  getPhaseRoute,
  blocksUntilNextPhaseRoute,
  previousPhaseBlocksRoute,
  initPeerIdRoute,
];
