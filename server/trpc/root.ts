import { createCallerFactory, router } from "./init";
import { phasesRouter } from "./routers/phases";
import { systemRouter } from "./routers/system";

export const appRouter = router({ system: systemRouter, phases: phasesRouter });
export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
