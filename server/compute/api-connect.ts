/**
 * WebSocket `/connect`: upstream's keepalive `{"type": "keepalive", "payload": {"time": ...}}` every 30 s,
 * and the compute events (allocation created, status changed, releasing, deallocated; inventory changed) to
 * every connected client. The API key is checked before the upgrade (Authorization: Bearer, X-API-Key, or
 * `?api_key=` for browsers, which cannot set headers on a WebSocket).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { isAppError } from "../errors";
import { lazy } from "../global";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address";
import { auth } from "./api-common";
import { onComputeEvent } from "./events";
import { computeConfig } from "./config";

const MAX_CLIENTS = 512;
const MAX_KEY = 512;

const state = lazy(() => {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024, clientTracking: true });
  const send = (ws: WebSocket, msg: unknown) => {
    // A client that does not read is dropped rather than buffered without bound.
    if (ws.bufferedAmount > 1024 * 1024) return ws.terminate();
    ws.send(JSON.stringify(msg));
  };
  const broadcast = (msg: unknown) => wss.clients.forEach((ws) => send(ws, msg));
  const off = onComputeEvent((e) => broadcast(e));
  const timer = setInterval(
    () => broadcast({ type: "keepalive", payload: { time: new Date().toISOString() } }),
    computeConfig().COMPUTE_KEEPALIVE_MS,
  );
  timer.unref();
  wss.on("connection", (ws) => {
    ws.on("message", () => undefined); // clients have nothing to say; messages past 1 KiB close the socket
    ws.on("error", () => ws.terminate());
    send(ws, { type: "keepalive", payload: { time: new Date().toISOString() } });
  });
  return {
    wss,
    close() {
      off();
      clearInterval(timer);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
});

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ success: false, message, err_detail: message });
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? "Unauthorized" : status === 403 ? "Forbidden" : "Service Unavailable"}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function givenKey(req: IncomingMessage): string | null {
  const authorization = req.headers.authorization;
  const bearer = typeof authorization === "string" ? /^Bearer (.+)$/i.exec(authorization)?.[1] : undefined;
  if (bearer) return bearer;
  const header = req.headers["x-api-key"];
  if (typeof header === "string") return header;
  const q = (req.url ?? "").split("?")[1];
  return q ? new URLSearchParams(q).get("api_key") : null;
}

/**
 * The upgrade as the API's own auth scheme sees a request (api-common's: the caller's address, then its key,
 * the admin key too): the key from Authorization, X-API-Key or `?api_key=`.
 */
function asRequest(req: IncomingMessage): Request {
  const headers = new Headers({ [CLIENT_ADDRESS_HEADER]: req.socket.remoteAddress ?? "" });
  const key = givenKey(req);
  // A key no header could carry (a newline from the query) is no key.
  if (key && key.length <= MAX_KEY && /^[\x21-\x7e]+$/.test(key)) headers.set("x-api-key", key);
  return new Request("http://localhost/connect", { headers });
}

export function connectUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
  // The server no longer listens for errors on an upgraded socket: a client that resets it is let go.
  socket.on("error", () => socket.destroy());
  void Promise.resolve()
    .then(() => auth.authenticate(asRequest(req)))
    .then(
      () => {
        const { wss } = state();
        if (wss.clients.size >= MAX_CLIENTS) return refuse(socket, 503, "Too many /connect clients");
        wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
      },
      (e: unknown) =>
        refuse(socket, isAppError(e) ? e.status : 401, isAppError(e) ? e.message : "Missing or invalid API key"),
    );
}

/** Closes every /connect client (at shutdown). */
export function closeConnect(): void {
  state.peek()?.close();
  state.set(undefined);
}
