/**
 * Request bodies read with a size cap: a declared Content-Length over the cap is refused before a byte
 * is read, and a body that grows past it (chunked, or lying about its length) is cut off. Nothing is
 * parsed until the whole body is in and within its limit.
 */
import type { IncomingMessage } from "node:http";
import { PayloadTooLargeError } from "../errors";

export type BodyReader = (limit: number) => Promise<Buffer>;

function declaredTooLarge(contentLength: string | null | undefined, limit: number): boolean {
  if (!contentLength) return false;
  const n = Number(contentLength);
  return Number.isFinite(n) && n > limit;
}

/**
 * Reads a Node request's body (the custom server's mount). Past the limit it stops listening and leaves
 * the request open, so the server can still answer on the connection (and drop the rest of the body).
 */
export function nodeBodyReader(req: IncomingMessage): BodyReader {
  return (limit) =>
    new Promise((resolve, reject) => {
      if (declaredTooLarge(req.headers["content-length"], limit)) return reject(new PayloadTooLargeError(limit));
      const chunks: Buffer[] = [];
      let size = 0;
      const stop = () => {
        req.off("data", onData);
        req.off("end", onEnd);
        req.off("error", onError);
        req.pause();
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          stop();
          reject(new PayloadTooLargeError(limit));
        } else chunks.push(chunk);
      };
      const onEnd = () => {
        stop();
        resolve(Buffer.concat(chunks, size));
      };
      const onError = (e: Error) => {
        stop();
        reject(e);
      };
      req.on("data", onData);
      req.on("end", onEnd);
      req.on("error", onError);
    });
}

/** Reads a Web request's body (Next's mount). */
export function webBodyReader(req: Request): BodyReader {
  return async (limit) => {
    if (declaredTooLarge(req.headers.get("content-length"), limit)) throw new PayloadTooLargeError(limit);
    if (!req.body) return Buffer.alloc(0);
    const reader = req.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw new PayloadTooLargeError(limit);
      }
      chunks.push(value);
    }
    return Buffer.concat(chunks, size);
  };
}
