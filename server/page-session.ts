/** Sign-in gate and data access for dashboard pages (server components), through the runtime. */
import "server-only";
import { cookies, headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import type { SessionUser } from "./auth/options";
import type { Role } from "./env";
import { REQUESTED_PATH_HEADER, runtime } from "./runtime";

/** The signed-in user of the page being rendered (read once per request). */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const jar = await cookies();
  return runtime().sessionFromCookies(
    jar
      .getAll()
      .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
      .join("; "),
  );
});

/** The page the visitor asked for (set by the custom server; client navigations' _rsc marker removed). */
async function requestedPage(): Promise<string> {
  const asked = (await headers()).get(REQUESTED_PATH_HEADER) ?? "/";
  const url = new URL(asked, "http://x");
  url.searchParams.delete("_rsc");
  return url.pathname + url.search;
}

/**
 * For dashboard pages: a page of a module switched off by ROLES is not found; visitors go to sign-in
 * unless the dashboard is public.
 */
export async function requireViewer(role?: Role): Promise<SessionUser | null> {
  if (role && !runtime().roleEnabled(role)) notFound();
  const user = await currentUser();
  if (!user && !runtime().config.PUBLIC_DASHBOARD)
    redirect(`/signin?callbackUrl=${encodeURIComponent(await requestedPage())}`);
  return user;
}

/** tRPC called in-process by server components, as the current user (after the sign-in gate). */
export async function serverCaller(role?: Role) {
  return runtime().caller(await requireViewer(role));
}

/** The OpenAPI document this console serves, for the /docs page: the same dispatch as GET /openapi.json. */
export async function openApiDocument(): Promise<unknown> {
  const res = await runtime().serveRest(new Request("http://console.local/openapi.json"));
  return res.json();
}
