import type { IncomingMessage, ServerResponse } from "node:http";
import { once } from "node:events";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Reply } from "../rest/api-route";

/** Bodies up to this size that declare their length are read whole first: cheaper than a Web stream. */
const SMALL_BODY = 1 << 20;

/** A Node request as a Web Request: small declared bodies read whole, anything else streamed. */
export async function toWebRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.charCodeAt(0) === 58 /* ":" HTTP/2 pseudo-header */) continue;
    headers.append(name, raw[i + 1]);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "HEAD";
  const length = Number(req.headers["content-length"] ?? NaN);
  if (hasBody && length >= 0 && length <= SMALL_BODY) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return new Request(origin + (req.url ?? "/"), { method, headers, body: Buffer.concat(chunks) });
  }
  return new Request(origin + (req.url ?? "/"), {
    method,
    headers,
    body: hasBody ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : undefined,
    // @ts-expect-error Node's fetch needs duplex for streamed bodies
    duplex: hasBody ? "half" : undefined,
  });
}

/** Writes a Web Response to a Node response with backpressure; stops reading if the client leaves. */
export async function sendWebResponse(res: ServerResponse, response: Response, method = "GET"): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, key) => {
    if (key !== "set-cookie") headers[key] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (!response.body || method === "HEAD") {
    await response.body?.cancel().catch(() => undefined);
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const onClose = () => void reader.cancel().catch(() => undefined);
  res.once("close", onClose);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await Promise.race([once(res, "drain"), once(res, "close")]);
      if (res.destroyed) break;
    }
    res.end();
  } catch {
    res.destroy();
  } finally {
    res.off("close", onClose);
  }
}

/** Writes a reply: small ones at once, streamed ones piped with backpressure (closed if the client leaves). */
export function sendReply(res: ServerResponse, reply: Reply, method = "GET"): void {
  if (reply.stream) {
    res.writeHead(reply.status, reply.headers);
    if (method === "HEAD") {
      res.end();
      return;
    }
    pipeline(reply.stream(), res).catch(() => res.destroy());
    return;
  }
  res.writeHead(reply.status, { ...reply.headers, "content-length": String(Buffer.byteLength(reply.text)) });
  res.end(method === "HEAD" ? undefined : reply.text);
}
