/** The compute marketplace API (role `compute`, SN27's RegisterAPI): its face and its manifest. */
import { z } from "zod";
import { config, netuidOf } from "../env";
import { defineJob, defineModule } from "../module";
import { computeRoutes } from "./api";
import { checkAllocations } from "./allocations/check";
import { closeConnect, connectUpgrade } from "./api-connect";
import { listenToOtherInstances } from "./events";
import { deliver, WEBHOOK_JOB } from "./webhooks";
import { POG_JOB, pogRound } from "./pog/run";
import { refreshInventory } from "./inventory";
import { pinHostKey } from "./pog/ssh";
import { computeRouter } from "./router";
import { computeConfig } from "./config";

export { AllocateSynapse, SpecsSynapse } from "./protocol";
export { sealToPublicKey } from "./sealing";
export { gpuEntry } from "./pog/gpus";
export { POG_JOB, pogScriptDigest } from "./pog/run";
export { NATIVE_SSH_CIPHERS, pinHostKey } from "./pog/ssh";

export const INVENTORY_JOB = "compute.inventory";
export const ALLOCATIONS_JOB = "compute.allocations";

/** Blocks between Proof of GPU rounds: POG_INTERVAL_BLOCKS, else 360 (10 on the devnet). */
export const pogIntervalBlocks = () => computeConfig().POG_INTERVAL_BLOCKS ?? (config().devnet ? 10 : 360);

export const computeModule = defineModule({
  name: "compute",
  role: "compute",
  title: "Compute marketplace API",
  config: computeConfig,
  docs: 'Compute marketplace (SN27\'s RegisterAPI): the API key as Authorization: Bearer or X-API-Key (no key configured: 403; with COMPUTE_ALLOWED_IPS, other addresses get 403 before the key is read). Errors are SN27\'s {"success": false, "message", "err_detail"}, invalid input 422. /service/allocate_spec rents the first free machine that meets the requirement among those Proof of GPU verified; /service/allocate_hotkey a named one. The WebSocket /connect sends upstream\'s keepalive and the allocation and inventory events (the key also as ?api_key= for browsers).',
  routes: computeRoutes,
  router: computeRouter,
  jobs: [
    defineJob({
      kind: INVENTORY_JOB,
      payload: z.object({}),
      everyMs: () => computeConfig().COMPUTE_SPECS_S * 1000,
      leaseMs: 120_000,
      onMetagraph: true,
      run: async () => void (await refreshInventory(netuidOf("compute"))),
    }),
    defineJob({
      kind: ALLOCATIONS_JOB,
      payload: z.object({}),
      everyMs: () => computeConfig().ALLOCATION_CHECK_S * 1000,
      leaseMs: 300_000,
      run: async () => void (await checkAllocations()),
    }),
    defineJob({
      kind: POG_JOB,
      payload: z.object({}),
      everyMs: () => pogIntervalBlocks() * config().BLOCK_TIME_MS,
      leaseMs: 30 * 60_000,
      deadlineMs: 30 * 60_000,
      // Minutes of SSH sessions: in a lane of its own.
      lane: "pog",
      // The first round waits one interval: the inventory fills first.
      firstRunAfterMs: () => pogIntervalBlocks() * config().BLOCK_TIME_MS,
      run: async () => void (await pogRound()),
    }),
    defineJob({
      kind: WEBHOOK_JOB,
      payload: z.object({ id: z.number().int() }),
      leaseMs: 30_000,
      run: ({ id }) => deliver(id),
    }),
  ],
  upgrades: { "/connect": connectUpgrade },
  // Proof of GPU logs into the devnet's machines with their host keys pinned, and nowhere else.
  useDevnet: (d) => d.hostKeys.forEach((k) => pinHostKey(k.hotkey, k.key)),
  start: async () => {
    const stopListening = await listenToOtherInstances();
    return async () => {
      closeConnect();
      await stopListening();
    };
  },
  nav: [
    { href: "/inventory", label: "GPU inventory" },
    { href: "/allocations", label: "Allocations" },
  ],
});
