import { createCallerFactory, router } from "./init";
import { phasesRouter } from "./routers/phases";
import { systemRouter } from "./routers/system";
import { validatorRouter } from "./routers/validator";

export const appRouter = router({ system: systemRouter, phases: phasesRouter, validator: validatorRouter });
export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
