/** The phase oracle (role `owner`): its face for other modules, and its manifest. */
import { defineModule } from "../module";
import { phaseRoutes } from "./api";
import { phasesRouter } from "./router";

export * from "./oracle";
export { blocks } from "./schemas";

export const phasesModule = defineModule({
  name: "phases",
  role: "owner",
  title: "Phase oracle",
  docs: "Phase oracle: phase_end_block is inclusive; blocks_remaining_in_phase excludes the current block; /blocks_until_next_phase takes a phase from this cycle when its start offset is at or after the current position, else from the next; /previous_phase_blocks is that answer shifted back one cycle. (The published sample responses for these two were not produced by one consistent rule; this is the rule clients depend on.)",
  routes: phaseRoutes,
  router: phasesRouter,
  nav: [{ href: "/phases", label: "Phases" }],
});
