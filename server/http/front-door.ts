/**
 * The custom server's request handler: what it answers itself (REST routes, tRPC, next-auth, and every
 * error of a REST path in its module's format) and what it hands to Next (the dashboard).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type net from "node:net";
import type { Duplex } from "node:stream";
import type { NextAuthOptions } from "next-auth";
import { handleAuthRequest } from "../auth/handler";
import { AppError, BadRequestError, isAppError } from "../errors";
import { log } from "../log";
import { formatError } from "../rest/error-format";
import { isReply } from "../rest/reply";
import type { RouteHandler } from "../rest/api-route";
import { REQUESTED_PATH_HEADER } from "../runtime";
import { nodeBodyReader } from "./body";
import { RestDispatcher, wantsHtml } from "./dispatch";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import { NodeRequestHead, sendReply, sendWebResponse, toWebRequest } from "./node-adapter";

/** Methods any route here may have; others (TRACE, CONNECT, WebDAV's) get 405 on every path. */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
/** tRPC inputs are small forms and filters. */
export const TRPC_BODY_LIMIT = 256 * 1024;

export interface FrontDoor {
  rest: RestDispatcher;
  /** Answer REST paths here (else Next's mount answers them). */
  fastPath: boolean;
  trpc(req: Request, clientIp: string): Promise<Response>;
  auth: NextAuthOptions;
  next(req: IncomingMessage, res: ServerResponse): Promise<void>;
  origin: string;
}

function errorReply(route: RouteHandler | null, error: AppError) {
  return formatError(route?.def.format ?? "fastapi", error);
}

/** After answering early, how much of an unread body is read and dropped before the connection is cut. */
const LINGER_BYTES = 16 << 20;
const LINGER_MS = 2000;

/**
 * An answer sent before the request body was read (401, 413): the rest of the body is read and dropped
 * for a moment, so the client sees the answer instead of a reset, then the connection is cut if the body
 * keeps coming. Nothing of it is kept.
 */
function lingerAfterEarlyAnswer(req: IncomingMessage, socket: Duplex): void {
  let drained = 0;
  const cut = () => socket.destroy();
  const timer = setTimeout(cut, LINGER_MS);
  timer.unref();
  req.on("data", (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > LINGER_BYTES) cut();
  });
  req.once("end", () => {
    clearTimeout(timer);
    // A connection the client asked to close was only half-closed (see closeGently): finish it now.
    if (socket.writableEnded) socket.destroy();
  });
  req.once("close", () => clearTimeout(timer));
  req.resume();
}

/**
 * Node closes a "Connection: close" socket as soon as the answer is written; with the body still coming,
 * the client then gets a reset and may lose the answer. Such a socket is half-closed instead (the answer
 * is delivered), and lingerAfterEarlyAnswer reads the rest away before closing it.
 */
function closeGently(req: IncomingMessage, socket: net.Socket): void {
  const original = socket.destroySoon.bind(socket);
  socket.destroySoon = () => {
    if (req.complete) original();
    else socket.end();
  };
}

/** How long after the last answer the server still counts as busy (background jobs wait for a lull). */
const LULL_MS = 50;

/**
 * The request handler, and `busy()`: true while requests are being answered or one ended under LULL_MS ago.
 */
export function createRequestHandler(door: FrontDoor) {
  let inFlight = 0;
  let lastEnded = 0;
  const busy = (): boolean => inFlight > 0 || Date.now() - lastEnded < LULL_MS;
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight++;
    res.once("close", () => {
      inFlight--;
      lastEnded = Date.now();
    });
    const socket = req.socket;
    // Every mount (Next's too) sees the socket's address, never a client's header of that name.
    req.headers[CLIENT_ADDRESS_HEADER] = socket.remoteAddress ?? "";
    closeGently(req, socket);
    res.once("finish", () => {
      if (!req.complete) lingerAfterEarlyAnswer(req, socket);
    });
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? "GET";
    const fail = (e: unknown, route: RouteHandler | null = null) => {
      if (isAppError(e)) return void sendReply(res, errorReply(route, e), method);
      log.error({ err: e instanceof Error ? e.message : String(e), path: pathname }, "response failed");
      if (res.headersSent) return void res.destroy();
      sendReply(res, errorReply(route, new AppError(500, "internal", "Internal Server Error")), method);
    };

    // Whatever a request's shape, it gets an answer: an error thrown while routing is answered, not left to
    // a process-wide handler with the socket open.
    try {
      // A malformed %-escape is refused here, for every mount (Next's own decoding answers it with a 500).
      if (pathname.includes("%")) {
        const problem = escapeProblem(pathname);
        if (problem) return fail(new BadRequestError(problem), door.rest.resolve(method, pathname)?.route ?? null);
      }
      if (!KNOWN_METHODS.has(method)) {
        return void sendReply(
          res,
          errorReply(null, new AppError(405, "method_not_allowed", "Method Not Allowed")),
          method,
        );
      }
      if (pathname.startsWith("/api/trpc/")) {
        toWebRequest(req, door.origin, TRPC_BODY_LIMIT)
          .then((request) => door.trpc(request, req.socket.remoteAddress ?? ""))
          .then((out) => sendWebResponse(res, out, method))
          .catch((e) =>
            isAppError(e) && e.status === 413
              ? res.writeHead(413, { "content-type": "application/json" }).end(
                  JSON.stringify({
                    error: {
                      json: { message: e.message, code: -32600, data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } },
                    },
                  }),
                )
              : fail(e),
          );
        return;
      }
      if (pathname.startsWith("/api/auth/")) {
        handleAuthRequest(req, res, door.auth, door.origin).catch((e) => fail(e));
        return;
      }

      const found = door.rest.resolve(method, pathname, (h) => req.headers[h] !== undefined);
      // The page asked for, so sign-in can send the user back to it; never taken from the client.
      req.headers[REQUESTED_PATH_HEADER] = url;
      // GET / is shared: browsers get the dashboard.
      if (!found || (found.route.def.path === "/" && wantsHtml(req.headers.accept))) return void door.next(req, res);
      if (found.kind === "missing") return fail(new AppError(404, "not_found", "Not Found"), found.route);
      if (!door.fastPath) return void door.next(req, res);
      if (found.kind === "method") {
        const e = new AppError(405, "method_not_allowed", "Method Not Allowed", undefined, {
          allow: found.allow.join(", "),
        });
        return fail(e, found.route);
      }
      const route = found.route;
      route
        .serve(new NodeRequestHead(req, res, door.origin), nodeBodyReader(req))
        .then((out) => (isReply(out) ? sendReply(res, out, method) : sendWebResponse(res, out, method)))
        .catch((e) => fail(e, route));
    } catch (e) {
      fail(e);
    }
  };
  return Object.assign(handle, { busy });
}

/** Why a path's %-escapes are refused: not valid percent-encoded UTF-8, or a control character (no route or page has one). */
function escapeProblem(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return "The path has a malformed %-escape";
  }
  return /[\u0000-\u001f\u007f]/.test(decoded) ? "The path has an escaped control character" : null;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
};

/** Node's HTTP parser refused the request: answer in JSON (as the REST modules do) and close. */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === "ECONNRESET" || !socket.writable) return void socket.destroy();
  const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400;
  const body = JSON.stringify({ detail: REASONS[status] });
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
