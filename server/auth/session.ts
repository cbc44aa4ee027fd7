import { cache } from "react";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { sessionFromCookies, type SessionUser } from "./options";
import { config } from "../env";
import { createCaller } from "../trpc/root";

/** The signed-in user of the page being rendered (read once per request). */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const jar = await cookies();
  return sessionFromCookies(jar.getAll().map((c) => `${c.name}=${encodeURIComponent(c.value)}`).join("; "));
});

/** For dashboard pages: sends visitors to sign-in unless the dashboard is public. */
export async function requireViewer(): Promise<SessionUser | null> {
  const user = await currentUser();
  if (!user && !config().PUBLIC_DASHBOARD) redirect("/signin");
  return user;
}

/** tRPC called in-process by server components, as the current user (after the sign-in gate). */
export async function serverCaller() {
  return createCaller({ user: await requireViewer() });
}
