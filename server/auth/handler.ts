/**
 * next-auth's endpoints (/api/auth/*) answered by the custom server itself through next-auth's
 * Node (pages-router) handler: the same work its Next route handler does, without a second copy of the
 * server's modules in Next's bundle.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import NextAuth, { type NextAuthOptions } from "next-auth";
import { PayloadTooLargeError } from "../errors";
import { nodeBodyReader } from "../http/body";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address";

/** Sign-in forms are a few hundred bytes; anything larger is refused before it is parsed. */
const MAX_AUTH_BODY = 16 * 1024;

function parseBody(type: string, text: string): Record<string, unknown> | undefined {
  if (type.includes("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  if (type.includes("application/json")) {
    try {
      const v = JSON.parse(text) as unknown;
      return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(/;\s*/)) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const value = part.slice(i + 1);
    try {
      out[part.slice(0, i)] = decodeURIComponent(value);
    } catch {
      out[part.slice(0, i)] = value;
    }
  }
  return out;
}

export async function handleAuthRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: NextAuthOptions,
  origin: string,
): Promise<void> {
  let body: Record<string, unknown> | undefined;
  if (req.method === "POST") {
    try {
      body = parseBody(req.headers["content-type"] ?? "", (await nodeBodyReader(req)(MAX_AUTH_BODY)).toString("utf8"));
    } catch (e) {
      if (!(e instanceof PayloadTooLargeError)) throw e;
      res
        .writeHead(413, { "content-type": "application/json" })
        .end(JSON.stringify({ error: "Request body too large" }));
      return;
    }
  }
  const url = new URL(req.url ?? "/", origin);
  const nextauth = url.pathname.slice("/api/auth/".length).split("/").filter(Boolean);
  const shim = {
    status(code: number) {
      res.statusCode = code;
      return shim;
    },
    setHeader(name: string, value: string | string[]) {
      res.setHeader(name, value);
      return shim;
    },
    getHeader: (name: string) => res.getHeader(name),
    end: () => void res.end(),
    json(data: unknown) {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(data));
    },
    send(data: unknown) {
      if (typeof data === "string" || Buffer.isBuffer(data)) res.end(data);
      else if (data === undefined || data === null) res.end();
      else shim.json(data);
    },
  };
  // The client's address, for the sign-in brake; never taken from the client.
  const headers = { ...req.headers, [CLIENT_ADDRESS_HEADER]: req.socket.remoteAddress ?? "" };
  const request = {
    method: req.method,
    headers,
    cookies: parseCookies(req.headers.cookie),
    query: { ...Object.fromEntries(url.searchParams), nextauth },
    body,
  };
  await NextAuth(request as never, shim as never, options);
}
