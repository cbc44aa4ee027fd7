/** The phase oracle (role `owner`): its face for other modules, and its manifest. */
import { defineModule } from "../module";
import { phaseRoutes } from "./api";
import { phasesRouter } from "./router";

export * from "./oracle";

export const phasesModule = defineModule({
  name: "phases",
  role: "owner",
  title: "Phase oracle",
  routes: phaseRoutes,
  router: phasesRouter,
  nav: [{ href: "/phases", label: "Phases" }],
});
