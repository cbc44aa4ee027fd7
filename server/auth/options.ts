import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getToken } from "next-auth/jwt";
import { isAppError } from "../errors";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address";
import { log } from "../log";
import { WindowCounter } from "../rate-limit";
import { checkAdminPassword } from "./secrets";
import { verifyWalletSignIn } from "./wallet";

export type UserRole = "admin" | "viewer";
export interface SessionUser {
  id: string;
  name: string;
  role: UserRole;
  via: "password" | "wallet";
}

/**
 * Password attempts per client address and username, counted before the (slow) hash check so concurrent
 * guesses cannot all get through: 10 a minute. A brake on one address never locks out another.
 */
const attempts = new WindowCounter(10, 60_000);
export const MAX_USERNAME_LENGTH = 128;
const MAX_PASSWORD_LENGTH = 1024;

const truncated = (v: string) => (v.length > 64 ? `${v.slice(0, 64)}…(${v.length} chars)` : v);

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
        async authorize(creds, req) {
          const username = String(creds?.username ?? "");
          const password = String(creds?.password ?? "");
          const headers = (req?.headers ?? {}) as Record<string, unknown>;
          const client = String(headers[CLIENT_ADDRESS_HEADER] ?? "");
          if (username.length > MAX_USERNAME_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
            log.warn({ username: truncated(username), client }, "admin sign-in refused: username or password too long");
            return null;
          }
          const key = `${client}\n${username}`;
          // Counted before the hash check: concurrent guesses cannot all get through.
          if (!attempts.take(key)) {
            log.warn({ username: truncated(username), client }, "admin sign-in refused: too many attempts");
            throw new Error("Too many sign-in attempts from this address: wait a minute.");
          }
          if (await checkAdminPassword(username, password)) {
            attempts.reset(key);
            return { id: `admin:${username}`, name: username, role: "admin", via: "password" } as SessionUser;
          }
          log.warn({ username: truncated(username), client }, "admin sign-in refused");
          return null;
        },
      }),
      CredentialsProvider({
        id: "wallet",
        name: "Polkadot wallet",
        credentials: { address: { type: "text" }, nonce: { type: "text" }, signature: { type: "text" } },
        async authorize(creds) {
          const address = String(creds?.address ?? "").slice(0, 64);
          try {
            const role = await verifyWalletSignIn(address, String(creds?.nonce ?? ""), String(creds?.signature ?? ""));
            return { id: `hotkey:${address}`, name: address, role, via: "wallet" } as SessionUser;
          } catch (e) {
            if (!isAppError(e)) throw e;
            log.warn({ address, reason: e.message }, "wallet sign-in refused");
            // A refusal the user can act on is shown to them; a bad signature or nonce is not explained.
            if (e.status === 403) throw new Error(e.message);
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
