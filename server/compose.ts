import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { authOptions, sessionFromCookies } from "./auth/options";
import type { Config } from "./env";
import { AppError } from "./errors";
import { RestDispatcher } from "./http/dispatch";
import { defineJobs } from "./jobs";
import type { UpgradeHandler } from "./module";
import { navigation, runtimeParts, type Module } from "./modules";
import { formatError } from "./rest/error-format";
import type { Runtime } from "./runtime";
import { restRoutes } from "./system/routes";
import { appRouterFor, callerFactory } from "./trpc/root";

/**
 * Composes modules (the enabled ones, in a running console) into the runtime: the REST dispatch (both mounts),
 * the tRPC router and its in-process caller, next-auth, the jobs and the WebSocket upgrades. Built once per process.
 */
export function composeRuntime(c: Config, sessionSecret: string, modules: readonly Module[]) {
  const parts = runtimeParts(modules);
  const jobList = parts.flatMap((m) => m.jobs ?? []);
  defineJobs(jobList);
  const rest = new RestDispatcher(restRoutes(modules));
  const appRouter = appRouterFor(modules);
  const createCaller = callerFactory(appRouter);
  const auth = authOptions(sessionSecret);
  const session = (cookieHeader: string | null | undefined) => sessionFromCookies(cookieHeader, sessionSecret);
  const upgrades = new Map<string, UpgradeHandler>(parts.flatMap((m) => Object.entries(m.upgrades ?? {})));
  const trpc = (req: Request, clientIp: string) =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req,
      router: appRouter,
      createContext: async () => ({ user: await session(req.headers.get("cookie")), clientIp }),
    });
  const runtime: Runtime = {
    config: c,
    navigation: navigation(modules),
    roleEnabled: (role) => c.ROLES.includes(role),
    async serveRest(req, pathname) {
      const found = rest.resolve(req.method, pathname ?? new URL(req.url).pathname, (h) => req.headers.has(h));
      if (found?.kind === "route") return found.route(req);
      const e =
        found?.kind === "method"
          ? new AppError(405, "method_not_allowed", "Method Not Allowed", undefined, { allow: found.allow.join(", ") })
          : new AppError(404, "not_found", "Not Found");
      return formatError(found?.route.def.format ?? "fastapi", e).toResponse();
    },
    sessionFromCookies: session,
    caller: (user) => createCaller({ user, clientIp: "" }),
  };
  return { runtime, rest, trpc, auth, upgrades, parts, jobList };
}
