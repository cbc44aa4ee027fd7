/**
 * The custom server: one process serving the REST surface, the dashboard (Next), WebSocket upgrades
 * and the background jobs. Public REST paths are answered here directly; everything else goes to Next.
 */
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import https from "node:https";
import path from "node:path";
import next from "next";
import { ensureSecrets, validatorToken } from "./auth/secrets";
import { API_KEYS, apiKeyStatus, loadApiKeys, type ApiKeyName } from "./auth/api-keys";
import { chain, devnetChain, refreshMetagraph } from "./chain";
import { cryptoReady } from "./crypto/hotkey";
import { closeDb } from "./db";
import { migrate } from "./db/migrate";
import { ensureDevnetModel, startDevnetProcess, type DevnetManifest, type DevnetProcess } from "./devnet";
import { ConfigError, config, type Config } from "./env";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { closeDendrites, consoleHotkey, WalletError } from "./bittensor";
import { answerClientError, createRequestHandler } from "./http/front-door";
import { jobs, scheduleRecurringJobs } from "./jobs";
import { log } from "./log";
import type { RuntimePart } from "./module";
import { composeRuntime } from "./compose";
import { checkConfig, enabledModules } from "./modules";
import { publishRuntime } from "./runtime";

/** The configuration, or the process ends with one clear line per problem (a wallet that cannot be read too). */
async function readConfig(): Promise<Config> {
  try {
    checkConfig();
    const c = config();
    await cryptoWaitReady();
    consoleHotkey();
    return c;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof WalletError) {
      console.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

/**
 * The devnet runs in a process of its own: its chain (which this console reads as it reads finney) and its
 * miners. Returns once its first head and metagraph are here, before anything reads them.
 */
async function startDevnet(c: Config, parts: readonly RuntimePart[]): Promise<DevnetProcess> {
  const d = await startDevnetProcess({ consoleUrl: `http://127.0.0.1:${c.PORT}`, minerToken: validatorToken });
  if (!c.SUBTENSOR_URL) chain.set(devnetChain(d.manifest.endpoint, d.manifest.beacon, (b) => d.setHead(b)));
  for (const p of parts) p.useDevnet?.(d.manifest);
  await chain().start();
  const deadline = Date.now() + 30_000;
  while (chain().head() === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await refreshMetagraph();
  if (c.ROLES.includes("validator")) await ensureDevnetModel();
  return d;
}

/** The HTTP(S) server: mutual TLS when TLS_CLIENT_CA is set (as SN27's API runs). */
function createServer(c: Config, onRequest: http.RequestListener): http.Server {
  const server = c.TLS_CERT
    ? https.createServer(
        {
          cert: fs.readFileSync(c.TLS_CERT),
          key: fs.readFileSync(c.TLS_KEY!),
          ...(c.TLS_CLIENT_CA
            ? { ca: fs.readFileSync(c.TLS_CLIENT_CA), requestCert: true, rejectUnauthorized: true }
            : {}),
        },
        onRequest,
      )
    : http.createServer(onRequest);
  server.keepAliveTimeout = 65_000;
  server.on("clientError", answerClientError);
  return server;
}

/**
 * On SIGTERM or SIGINT: no new connections, requests in flight finish (those still open after `timeoutMs` are
 * closed), then each step in order; the process ends whatever a step still awaits, 15 s later at the latest.
 */
function stopOnSignals(server: http.Server, timeoutMs: number, steps: Array<() => unknown>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      log.warn("shutdown timed out; closing remaining connections");
      server.closeAllConnections();
    }, timeoutMs);
    force.unref();
    // Whatever is still awaited (a miner that never answers, a job that ignores its signal), the process ends.
    const hard = setTimeout(() => {
      log.error("shutdown did not finish in time; exiting");
      process.exit(1);
    }, timeoutMs + 15_000);
    hard.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    for (const step of steps) await step();
    clearTimeout(force);
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

async function main() {
  const c = await readConfig();
  const dev = c.NODE_ENV === "development";
  const protocol = c.TLS_CERT ? "https" : "http";
  const publicUrl = c.PUBLIC_URL ?? `${protocol}://localhost:${c.PORT}`;

  await cryptoReady;
  const migrated = await migrate(c.DATABASE_URL);
  log.info({ database: c.databaseKind, applied: migrated.applied }, "database ready");

  const { sessionSecret, generatedPassword } = await ensureSecrets();
  await loadApiKeys();
  // Keys created, rotated or revoked on another instance apply here within 10 s.
  setInterval(() => void loadApiKeys().catch(() => undefined), 10_000).unref();
  // next-auth reads the site's origin from these two variables only (its secret is passed in its options).
  process.env.NEXTAUTH_URL ??= publicUrl;
  if (!c.PUBLIC_URL) process.env.AUTH_TRUST_HOST ??= "true";

  const { runtime, rest, trpc, auth, upgrades, parts, jobList } = composeRuntime(
    c,
    sessionSecret,
    enabledModules(c.ROLES),
  );
  publishRuntime(runtime);

  // The console's port is held while the devnet starts: its miners listen on ports the system picks, and
  // one of them must not take this one.
  const held = c.devnet ? await holdPort(c.PORT, c.HOST) : null;
  const devnet = c.devnet ? await startDevnet(c, parts) : null;
  if (!devnet) await chain().start();
  const stops: Array<() => void | Promise<void>> = [];
  for (const m of parts) if (m.start) stops.push(await m.start());
  await scheduleRecurringJobs(jobList);
  jobs().start();

  // tsx turns source maps on for the console's TypeScript; Next's compiled chunks would then keep their maps
  // (sources and mappings, ~30 MB of strings) in memory for the process's life. `next start` leaves them off too.
  if (!dev) process.setSourceMapsEnabled(false);
  const app = next({ dev, dir: path.resolve(__dirname, ".."), hostname: "localhost", port: c.PORT });
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();
  const origin = `${protocol}://${c.HOST === "0.0.0.0" || c.HOST === "::" ? "localhost" : c.HOST}:${c.PORT}`;

  const onRequest = createRequestHandler({ rest, fastPath: c.REST_FAST_PATH, trpc, auth, next: nextHandler, origin });
  jobs().yieldWhile(onRequest.busy);

  const server = createServer(c, onRequest);
  server.on("upgrade", (req, socket, head) => {
    const pathname = (req.url ?? "/").split("?")[0];
    const handler = upgrades.get(pathname);
    if (handler) handler(req, socket, head);
    else if (pathname.startsWith("/_next/")) void nextUpgrade(req, socket, head);
    else socket.destroy();
  });

  // Signals are handled from the moment the server listens.
  stopOnSignals(server, c.SHUTDOWN_TIMEOUT_MS, [
    () => devnet?.stop(),
    ...stops.reverse(),
    () => jobs().stop(),
    closeDendrites,
    () => chain().stop(),
    () => app.close?.().catch(() => undefined),
    closeDb,
    () => publishRuntime(undefined),
  ]);
  await held?.release();
  await new Promise<void>((resolve) => server.listen(c.PORT, c.HOST, resolve));
  if (devnet && !["127.0.0.1", "::1", "localhost"].includes(c.HOST))
    log.warn(
      { host: c.HOST },
      "the devnet runs with public dev keys and this console listens beyond loopback: anyone who reaches it can sign in as a viewer with a devnet miner's key",
    );
  devnet?.consoleListening();
  // The devnet's miners are registered: jobs that read the metagraph run now, not at their next interval.
  if (devnet) await jobs().runNow(jobList.filter((j) => j.onMetagraph).map((j) => j.kind));
  log.info({ url: publicUrl, roles: c.ROLES, chain: chain().status().endpoint, dev }, "Subnet Console is listening");
  console.log(firstRunBanner(c, publicUrl, generatedPassword, devnet?.manifest ?? null));
}

/** Listens on a port without answering, until released (a port taken meanwhile fails the start here). */
async function holdPort(port: number, host: string): Promise<{ release(): Promise<void> }> {
  const s = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    s.once("error", reject);
    s.listen(port, host, resolve);
  });
  return { release: () => new Promise<void>((resolve) => s.close(() => resolve())) };
}

/** What an operator needs right after start, in words: where, who, and where the miner token is. */
function firstRunBanner(
  c: Config,
  url: string,
  generatedPassword: string | null,
  devnet: DevnetManifest | null,
): string {
  const password = generatedPassword
    ? `password "${generatedPassword}" (generated and shown once: only its hash is kept; set ADMIN_PASSWORD to choose one)`
    : c.ADMIN_PASSWORD
      ? "password from ADMIN_PASSWORD"
      : "the password printed on the first start (lost it? set ADMIN_PASSWORD and restart)";
  const lines = [`Subnet Console is running at ${url}`, `Admin sign-in: user "${c.ADMIN_USERNAME}", ${password}`];
  if (c.ROLES.includes("validator"))
    lines.push(
      c.BZ_AUTH_TOKEN
        ? "Miner token: BZ_AUTH_TOKEN"
        : "Miner token: on the Settings page (admins), or set BZ_AUTH_TOKEN",
    );
  for (const name of Object.keys(API_KEYS) as ApiKeyName[]) {
    if (!c.ROLES.includes(name)) continue;
    const s = apiKeyStatus(name);
    lines.push(
      s.source === "off"
        ? `${s.title}: off (403) until it has a key: create one on the Settings page, or set ${s.env}`
        : `${s.title}: on (key from ${s.source === "environment" ? s.env : "Settings"})`,
    );
  }
  if (devnet)
    lines.push(
      `Devnet: chain ${devnet.endpoint} (${c.BLOCK_TIME_MS} ms blocks), ${devnet.subnets
        .map((s) => `subnet ${s.netuid} ${s.roles.join("/")} with ${s.neurons} neurons`)
        .join(", ")}; its own process (DEVNET=0 turns it off)`,
    );
  return `\n${lines.map((l) => `  ${l}`).join("\n")}\n`;
}

main().catch((e) => {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  log.fatal({ err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) }, "start-up failed");
  process.exit(1);
});
