import { Readable } from "node:stream";

const JSON_HEADERS = { "content-type": "application/json" };

/**
 * A complete small response (status, headers, text). Routes answer with these; Next gets them as a
 * Response, while the custom server writes them to the socket as they are, since building and draining
 * a Web Response costs more per request than the route's own work.
 */
export class Reply {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly text: string,
    /** A large body: opened only when it is sent (never for HEAD), streamed with backpressure. */
    readonly stream?: () => Readable,
  ) {}
  toResponse(): Response {
    if (this.stream)
      return new Response(Readable.toWeb(this.stream()) as ReadableStream<Uint8Array>, {
        status: this.status,
        headers: this.headers,
      });
    return new Response(this.text, { status: this.status, headers: this.headers });
  }
}

export function streamReply(status: number, headers: Record<string, string>, open: () => Readable): Reply {
  return new Reply(status, headers, "", open);
}

export function isReply(v: unknown): v is Reply {
  return v instanceof Reply;
}

export function textReply(text: string, status = 200, headers: Record<string, string> = {}): Reply {
  return new Reply(status, headers, text);
}

export function json(data: unknown, status = 200, headers?: Record<string, string>): Reply {
  return new Reply(status, headers ? { ...JSON_HEADERS, ...headers } : JSON_HEADERS, JSON.stringify(data));
}
