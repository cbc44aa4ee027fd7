import { ForbiddenError, UnauthorizedError } from "../errors";
import { decodeSignature, isSs58Address, verifyHotkeySignature } from "../crypto/signature";
import { safeEqual } from "../crypto/safe-equal";
import type { RequestHead } from "../http/request-head";

/** How a route proves its caller; `openapi` documents the scheme under components.securitySchemes. */
export interface AuthScheme<A = unknown> {
  name: string;
  openapi: Record<string, unknown>;
  authenticate(req: RequestHead): A | Promise<A>;
  /** For a scheme made of several that must all pass (documented as one security requirement). */
  parts?: AuthScheme[];
}

/** Every scheme must pass, in order; the result is the last one's. */
export function allOf<A>(first: AuthScheme, last: AuthScheme<A>): AuthScheme<A> {
  return {
    name: `${first.name}+${last.name}`,
    openapi: {},
    parts: [first, last],
    async authenticate(req) {
      await first.authenticate(req);
      return last.authenticate(req);
    },
  };
}

/** `Authorization: Bearer <token>`; 401 when missing or wrong, 503-free: an unset token refuses all. */
export function bearerAuth(name: string, token: () => string | undefined): AuthScheme<{ scheme: "bearer" }> {
  return {
    name,
    openapi: { type: "http", scheme: "bearer" },
    authenticate(req) {
      const expected = token();
      const header = req.headers.get("authorization") ?? "";
      const m = /^Bearer\s+(.+)$/i.exec(header);
      if (!expected || !m || !safeEqual(m[1].trim(), expected))
        throw new UnauthorizedError("Invalid or missing bearer token");
      return { scheme: "bearer" };
    },
  };
}

/** Bearer auth that is off while no token is configured (e.g. /metrics without METRICS_TOKEN). */
export function metricsBearerAuth(
  name: string,
  token: () => string | undefined,
): AuthScheme<{ scheme: "bearer" | "none" }> {
  const bearer = bearerAuth(name, token);
  return {
    name,
    openapi: { ...bearer.openapi, description: "Required only when the server sets a token" },
    authenticate: (req) => (token() ? bearer.authenticate(req) : { scheme: "none" }),
  };
}

/** A secret in a named header. Unset on the server: 403 (the API is off); missing or wrong: 401. */
export function headerKeyAuth(opts: {
  name: string;
  header: string;
  key: () => string | undefined;
  disabledMessage: string;
  invalidMessage?: string;
  description?: string;
}): AuthScheme<{ scheme: "header" }> {
  return {
    name: opts.name,
    openapi: {
      type: "apiKey",
      in: "header",
      name: opts.header,
      ...(opts.description ? { description: opts.description } : {}),
    },
    authenticate(req) {
      const expected = opts.key();
      if (!expected) throw new ForbiddenError(opts.disabledMessage);
      const given = req.headers.get(opts.header);
      if (!given || !safeEqual(given, expected)) {
        throw new UnauthorizedError(opts.invalidMessage ?? `Invalid or missing ${opts.header}`, opts.header);
      }
      return { scheme: "header" };
    },
  };
}

/** Remembers accepted signatures until they expire; `claim` is false for one already accepted. */
export interface ReplayStore {
  claim(key: string, expiresAtMs: number): Promise<boolean>;
}

/** One process's memory (tests; the product keeps them in the database: server/auth/replay-store.ts). */
export class MemoryReplayStore implements ReplayStore {
  private seen = new Map<string, number>();
  private lastSweep = 0;
  constructor(private now: () => number = Date.now) {}
  async claim(key: string, expiresAtMs: number): Promise<boolean> {
    const t = this.now();
    if (t - this.lastSweep > 60_000) {
      for (const [k, exp] of this.seen) if (exp < t) this.seen.delete(k);
      this.lastSweep = t;
    }
    const exp = this.seen.get(key);
    if (exp !== undefined && exp >= t) return false;
    this.seen.set(key, expiresAtMs);
    return true;
  }
}

/**
 * A hotkey proves itself: X-Hotkey, X-Timestamp (unix seconds, within `maxSkewS` of our clock) and
 * X-Signature (URL-safe base64, sr25519 or ed25519) over "{timestamp}.{METHOD}.{path with query}".
 * A signature is accepted once within `replayWindowS`, whatever its encoding (the key is its bytes).
 */
export function signedRequestAuth(
  name: string,
  opts: { maxSkewS?: number; replayWindowS?: number; now?: () => number; replay?: ReplayStore } = {},
): AuthScheme<{ scheme: "signed"; hotkey: string }> {
  const maxSkew = opts.maxSkewS ?? 60;
  const window = (opts.replayWindowS ?? 120) * 1000;
  const now = opts.now ?? Date.now;
  const replay = opts.replay ?? new MemoryReplayStore(now);
  return {
    name,
    openapi: {
      type: "apiKey",
      in: "header",
      name: "X-Signature",
      description:
        'Signed request: X-Hotkey (SS58), X-Timestamp (unix seconds, within 60 s) and X-Signature, the URL-safe base64 sr25519/ed25519 signature of the UTF-8 string "{timestamp}.{METHOD}.{path with query}". A signature is accepted once.',
    },
    async authenticate(req) {
      const hotkey = req.headers.get("x-hotkey");
      const ts = req.headers.get("x-timestamp");
      const sig = req.headers.get("x-signature");
      if (!hotkey || !ts || !sig)
        throw new UnauthorizedError("Signed request required: X-Hotkey, X-Timestamp and X-Signature", "Signature");
      if (!isSs58Address(hotkey)) throw new UnauthorizedError("X-Hotkey is not an SS58 address", "Signature");
      if (!/^\d{1,12}$/.test(ts)) throw new UnauthorizedError("X-Timestamp must be unix seconds", "Signature");
      const t = now();
      if (Math.abs(t / 1000 - Number(ts)) > maxSkew)
        throw new UnauthorizedError(`X-Timestamp is more than ${maxSkew} s from the server clock`, "Signature");
      const bytes = decodeSignature(sig);
      const url = new URL(req.url);
      const message = `${ts}.${req.method.toUpperCase()}.${url.pathname}${url.search}`;
      if (!bytes || !verifyHotkeySignature(message, sig, hotkey))
        throw new UnauthorizedError("Invalid signature", "Signature");
      if (!(await replay.claim(`${name}:${hotkey}:${Buffer.from(bytes).toString("hex")}`, t + window)))
        throw new UnauthorizedError("Signature already used", "Signature");
      return { scheme: "signed", hotkey };
    },
  };
}

/**
 * An API key as `Authorization: Bearer <key>` or `X-API-Key: <key>`. Unset on the server: 403 with
 * `disabledMessage` (the API is off); missing or wrong: 401. An optional admin key is accepted too, and
 * says so (`admin: true`) for the reads only admins may make.
 */
export function apiKeyAuth(
  name: string,
  key: () => string | undefined,
  disabledMessage: string,
  adminKey: () => string | undefined = () => undefined,
): AuthScheme<{ scheme: "api-key"; admin: boolean }> {
  return {
    name,
    openapi: { type: "http", scheme: "bearer", description: "The API key, or the same key in X-API-Key" },
    authenticate(req) {
      const expected = key();
      if (!expected) throw new ForbiddenError(disabledMessage);
      const bearer = /^Bearer (.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
      const given = bearer ?? req.headers.get("x-api-key");
      const admin = adminKey();
      if (given && admin && safeEqual(given, admin)) return { scheme: "api-key", admin: true };
      if (!given || !safeEqual(given, expected)) throw new UnauthorizedError("Missing or invalid API key");
      return { scheme: "api-key", admin: false };
    },
  };
}
