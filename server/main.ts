/**
 * The custom server: one process serving the REST surface, the dashboard (Next), WebSocket upgrades
 * and the background jobs. Public REST paths are answered here directly; everything else goes to Next.
 */
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { Duplex } from "node:stream";
import path from "node:path";
import next from "next";
import { ensureSecrets } from "./auth/secrets";
import { chain } from "./chain";
import { cryptoReady } from "./crypto/signature";
import { closeDb } from "./db";
import { migrate } from "./db/migrate";
import { ConfigError, config } from "./env";
import { RestDispatcher, wantsHtml } from "./http/dispatch";
import { sendReply, sendWebResponse, toWebRequest } from "./http/node-adapter";
import { jobs, scheduleRecurringJobs } from "./jobs";
import { log } from "./log";
import { serviceInfoRoute } from "./phases/api";
import { restRoutes } from "./rest/registry";
import { startValidator } from "./validator";
import { startDevnet } from "./devnet";
import { isReply } from "./rest/api-route";

/** WebSocket endpoints by path; modules add theirs (e.g. the compute module's /connect). */
export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
export const upgradeHandlers = new Map<string, UpgradeHandler>();

async function main() {
  let c;
  try {
    c = config();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const dev = c.NODE_ENV === "development";
  const protocol = c.TLS_CERT ? "https" : "http";
  const publicUrl = c.PUBLIC_URL ?? `${protocol}://localhost:${c.PORT}`;

  await cryptoReady;
  const migrated = await migrate(c.DATABASE_URL);
  log.info({ database: c.databaseKind, applied: migrated.applied }, "database ready");

  const { sessionSecret, generatedPassword } = await ensureSecrets();
  process.env.NEXTAUTH_SECRET = sessionSecret;
  process.env.NEXTAUTH_URL ??= publicUrl;
  if (!c.PUBLIC_URL) process.env.AUTH_TRUST_HOST ??= "true";
  if (generatedPassword) {
    // Shown once: only its hash is stored.
    console.log(`\n  Admin sign-in: user "${c.ADMIN_USERNAME}", password "${generatedPassword}" (generated; set ADMIN_PASSWORD to choose one)\n`);
  }

  await chain().start();
  const stopValidator = c.ROLES.includes("validator") ? await startValidator() : () => undefined;
  await scheduleRecurringJobs();
  jobs().start();

  const app = next({ dev, dir: path.resolve(__dirname, ".."), hostname: "localhost", port: c.PORT });
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();
  const rest = new RestDispatcher(restRoutes);
  const origin = `${protocol}://${c.HOST === "0.0.0.0" || c.HOST === "::" ? "localhost" : c.HOST}:${c.PORT}`;

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const pathname = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? "GET";
    let route = c.REST_FAST_PATH ? rest.find(method, pathname) : undefined;
    if (route === serviceInfoRoute && wantsHtml(req.headers.accept)) route = undefined;
    if (!route) {
      void nextHandler(req, res);
      return;
    }
    toWebRequest(req, origin)
      .then((request) => route.serve(request))
      .then((out) => (isReply(out) ? sendReply(res, out, method) : sendWebResponse(res, out, method)))
      .catch((e) => {
        log.error({ err: (e as Error).message, path: pathname }, "response failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ detail: "Internal Server Error" }));
      });
  };

  const server = c.TLS_CERT
    ? https.createServer({ cert: fs.readFileSync(c.TLS_CERT), key: fs.readFileSync(c.TLS_KEY!) }, onRequest)
    : http.createServer(onRequest);
  server.keepAliveTimeout = 65_000;

  server.on("upgrade", (req, socket, head) => {
    const pathname = (req.url ?? "/").split("?")[0];
    const handler = upgradeHandlers.get(pathname);
    if (handler) handler(req, socket, head);
    else if (pathname.startsWith("/_next/")) void nextUpgrade(req, socket, head);
    else socket.destroy();
  });

  await new Promise<void>((resolve) => server.listen(c.PORT, c.HOST, resolve));
  // The devnet's miners are HTTP clients of this server, so they start once it listens.
  const stopDevnet = c.devnet && c.ROLES.includes("validator") && !c.TLS_CERT ? await startDevnet(`http://127.0.0.1:${c.PORT}`) : async () => undefined;
  log.info({ url: publicUrl, roles: c.ROLES, chain: chain().status().endpoint, dev }, "Subnet Console is listening");

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      log.warn("shutdown timed out; closing remaining connections");
      server.closeAllConnections();
    }, c.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    stopValidator();
    await stopDevnet();
    await jobs().stop();
    await chain().stop();
    await app.close?.().catch(() => undefined);
    await closeDb();
    clearTimeout(force);
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((e) => {
  log.fatal({ err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) }, "start-up failed");
  process.exit(1);
});
