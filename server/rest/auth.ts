import { ForbiddenError, UnauthorizedError } from "../errors";
import { verifyHotkeySignature, isSs58Address } from "../crypto/signature";
import { safeEqual } from "../crypto/safe-equal";

/** How a route proves its caller; `openapi` documents the scheme under components.securitySchemes. */
export interface AuthScheme<A = unknown> {
  name: string;
  openapi: Record<string, unknown>;
  authenticate(req: Request): A | Promise<A>;
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
export function headerKeyAuth(
  name: string,
  header: string,
  key: () => string | undefined,
  disabledMessage: string,
): AuthScheme<{ scheme: "header" }> {
  return {
    name,
    openapi: { type: "apiKey", in: "header", name: header },
    authenticate(req) {
      const expected = key();
      if (!expected) throw new ForbiddenError(disabledMessage);
      const given = req.headers.get(header);
      if (!given || !safeEqual(given, expected)) throw new UnauthorizedError(`Invalid or missing ${header}`, "ApiKey");
      return { scheme: "header" };
    },
  };
}

/**
 * A hotkey proves itself: X-Hotkey, X-Timestamp (unix seconds, within `maxSkewS` of our clock) and
 * X-Signature (URL-safe base64, sr25519 or ed25519) over "{timestamp}.{METHOD}.{path with query}".
 * A signature seen within `replayWindowS` is refused.
 */
export function signedRequestAuth(
  name: string,
  opts: { maxSkewS?: number; replayWindowS?: number; now?: () => number } = {},
): AuthScheme<{ scheme: "signed"; hotkey: string }> & { seen: Map<string, number> } {
  const maxSkew = opts.maxSkewS ?? 60;
  const window = (opts.replayWindowS ?? 120) * 1000;
  const now = opts.now ?? Date.now;
  const seen = new Map<string, number>();
  let lastSweep = 0;
  return {
    name,
    seen,
    openapi: {
      type: "apiKey",
      in: "header",
      name: "X-Signature",
      description:
        'Signed request: X-Hotkey (SS58), X-Timestamp (unix seconds, within 60 s) and X-Signature, the URL-safe base64 sr25519/ed25519 signature of the UTF-8 string "{timestamp}.{METHOD}.{path with query}". A signature is accepted once.',
    },
    authenticate(req) {
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
      const url = new URL(req.url);
      const message = `${ts}.${req.method.toUpperCase()}.${url.pathname}${url.search}`;
      if (!verifyHotkeySignature(message, sig, hotkey)) throw new UnauthorizedError("Invalid signature", "Signature");
      if (t - lastSweep > window) {
        for (const [k, exp] of seen) if (exp < t) seen.delete(k);
        lastSweep = t;
      }
      const replayKey = `${hotkey}:${sig.replace(/=+$/, "")}`;
      const expires = seen.get(replayKey);
      if (expires !== undefined && expires >= t) throw new UnauthorizedError("Signature already used", "Signature");
      seen.set(replayKey, t + window);
      return { scheme: "signed", hotkey };
    },
  };
}
