/** The compute marketplace API (role `compute`, SN27's RegisterAPI): its face and its manifest. */
import { z } from "zod";
import { config, netuidOf } from "../env";
import { jobs } from "../jobs";
import { defineJob, defineModule } from "../module";
import { computeRoutes } from "./api";
import { refreshInventory } from "./inventory";
import { computeRouter } from "./router";

export { AllocateSynapse, SpecsSynapse } from "./protocol";

export const INVENTORY_JOB = "compute.inventory";

export const computeModule = defineModule({
  name: "compute",
  role: "compute",
  title: "Compute marketplace API",
  routes: computeRoutes,
  router: computeRouter,
  jobs: [
    defineJob({
      kind: INVENTORY_JOB,
      payload: z.object({}),
      everyMs: () => config().COMPUTE_SPECS_S * 1000,
      leaseMs: 120_000,
      onMetagraph: true,
      run: async () => void (await refreshInventory(netuidOf("compute"))),
    }),
  ],
  start: async () => {
    await jobs().enqueue(INVENTORY_JOB, {}, { uniqueKey: INVENTORY_JOB, maxAttempts: 1_000_000 });
    return () => undefined;
  },
  nav: [{ href: "/inventory", label: "GPU inventory" }],
});
