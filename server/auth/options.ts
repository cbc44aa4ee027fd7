import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getToken } from "next-auth/jwt";
import { isAppError } from "../errors";
import { log } from "../log";
import { checkAdminPassword } from "./secrets";
import { verifyWalletSignIn } from "./wallet";

export type UserRole = "admin" | "viewer";
export interface SessionUser {
  id: string;
  name: string;
  role: UserRole;
  via: "password" | "wallet";
}

// Failed password attempts per username in the current minute: a brake on guessing.
const failures = new Map<string, { count: number; until: number }>();
const MAX_FAILURES_PER_MINUTE = 10;

/** next-auth's options, signed with `secret` (never read from the environment). */
export function authOptions(secret: string): NextAuthOptions {
  return {
    secret,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: [
      CredentialsProvider({
        id: "password",
        name: "Admin password",
        credentials: {
          username: { label: "Username", type: "text" },
          password: { label: "Password", type: "password" },
        },
        async authorize(creds) {
          const username = String(creds?.username ?? "");
          const f = failures.get(username);
          if (f && f.until > Date.now() && f.count >= MAX_FAILURES_PER_MINUTE) return null;
          if (await checkAdminPassword(username, String(creds?.password ?? ""))) {
            failures.delete(username);
            return { id: `admin:${username}`, name: username, role: "admin", via: "password" } as SessionUser;
          }
          const entry = f && f.until > Date.now() ? f : { count: 0, until: Date.now() + 60_000 };
          entry.count++;
          failures.set(username, entry);
          log.warn({ username }, "admin sign-in refused");
          return null;
        },
      }),
      CredentialsProvider({
        id: "wallet",
        name: "Polkadot wallet",
        credentials: { address: { type: "text" }, nonce: { type: "text" }, signature: { type: "text" } },
        async authorize(creds) {
          const address = String(creds?.address ?? "");
          try {
            const role = await verifyWalletSignIn(address, String(creds?.nonce ?? ""), String(creds?.signature ?? ""));
            return { id: `hotkey:${address}`, name: address, role, via: "wallet" } as SessionUser;
          } catch (e) {
            if (!isAppError(e)) throw e;
            log.warn({ address, reason: e.message }, "wallet sign-in refused");
            return null;
          }
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          const u = user as unknown as SessionUser;
          token.role = u.role;
          token.via = u.via;
        }
        return token;
      },
      session({ session, token }) {
        (session as unknown as { user: SessionUser }).user = {
          id: token.sub ?? "",
          name: token.name ?? "",
          role: (token.role as UserRole) ?? "viewer",
          via: (token.via as SessionUser["via"]) ?? "password",
        };
        return session;
      },
    },
  };
}

/** The signed-in user from a Cookie header, or null. */
export async function sessionFromCookies(
  cookieHeader: string | null | undefined,
  secret: string,
): Promise<SessionUser | null> {
  if (!cookieHeader) return null;
  const cookies = Object.fromEntries(
    cookieHeader
      .split(/;\s*/)
      .filter(Boolean)
      .map((c) => {
        const i = c.indexOf("=");
        return [c.slice(0, i), decodeURIComponent(c.slice(i + 1))];
      }),
  );
  const token = await getToken({ req: { cookies, headers: {} } as never, secret });
  if (!token?.sub) return null;
  return {
    id: token.sub,
    name: String(token.name ?? ""),
    role: (token.role as UserRole) ?? "viewer",
    via: (token.via as SessionUser["via"]) ?? "password",
  };
}
