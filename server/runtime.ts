/**
 * The one door from Next into the server. The custom server (server/main.ts) evaluates the server's
 * modules once and publishes this runtime; the REST re-export files and the pages reach it through
 * `runtime()`. This file imports types only, so Next's bundles never hold a second copy of server code.
 */
import type { SessionUser } from "./auth/options";
import type { Config, Role } from "./env";
import type { NavEntry } from "./module";
import type { AppCaller } from "./trpc/root";

export interface Runtime {
  config: Config;
  /** The dashboard's menu: Overview, the enabled modules' pages, Settings. */
  navigation: NavEntry[];
  roleEnabled(role: Role): boolean;
  /** Answers a REST request (the same dispatch the custom server uses before Next). */
  serveRest(req: Request, pathname?: string): Promise<Response>;
  sessionFromCookies(cookieHeader: string | null | undefined): Promise<SessionUser | null>;
  /** tRPC called in-process, as `user`. */
  caller(user: SessionUser | null): AppCaller;
}

/** Set by the custom server on requests it hands to Next: the path and query asked for (sign-in returns there). */
export const REQUESTED_PATH_HEADER = "x-subnet-console-path";

const KEY = Symbol.for("subnet-console.runtime");
const slot = globalThis as unknown as Record<symbol, Runtime | undefined>;

export function runtime(): Runtime {
  const r = slot[KEY];
  if (!r)
    throw new Error(
      "Subnet Console's server is not running in this process: start it with `npm start` (server/main.ts)",
    );
  return r;
}

export function publishRuntime(r: Runtime | undefined): void {
  slot[KEY] = r;
}

/** The handler every REST re-export file mounts in Next. */
export function restHandler(req: Request): Promise<Response> {
  return runtime().serveRest(req);
}
