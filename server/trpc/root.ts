import { MODULES, type Module } from "../modules";
import { systemRouter } from "../system/router";
import { createCallerFactory, router } from "./init";

type ModuleRouters = { [M in (typeof MODULES)[number] as M["name"]]: M["router"] };
const build = (routers: { system: typeof systemRouter } & ModuleRouters) => router(routers);

/** Every procedure of the product: the type the dashboard's client is built on. */
export type AppRouter = ReturnType<typeof build>;

/** The router of this process: the system's procedures and those of the given (enabled) modules only. */
export function appRouterFor(modules: readonly Module[]): AppRouter {
  const enabled = Object.fromEntries(modules.map((m) => [m.name, m.router]));
  return build({ system: systemRouter, ...enabled } as Parameters<typeof build>[0]);
}

export function callerFactory(appRouter: AppRouter) {
  return createCallerFactory(appRouter);
}

export type AppCaller = ReturnType<ReturnType<typeof callerFactory>>;
