import { cookies } from "next/headers";
import { sessionFromCookies, type SessionUser } from "./options";
import { createCaller } from "../trpc/root";

/** The signed-in user of the page being rendered. */
export async function currentUser(): Promise<SessionUser | null> {
  const jar = await cookies();
  return sessionFromCookies(jar.getAll().map((c) => `${c.name}=${encodeURIComponent(c.value)}`).join("; "));
}

/** tRPC called in-process by server components, as the current user. */
export async function serverCaller() {
  return createCaller({ user: await currentUser() });
}
