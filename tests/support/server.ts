import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
import { freePort } from "./ports";
export { freePort };

export interface RunningServer {
  url: string;
  databaseUrl: string;
  port: number;
  dataDir: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  process: ChildProcess;
}

/**
 * Starts the built product (the custom server, production mode) on a free port with its own database.
 * Uses TEST_DATABASE_URL when set (a Postgres database is emptied first), else a fresh SQLite file.
 */
export async function startServer(
  env: Record<string, string> = {},
  protocol: "http" | "https" = "http",
): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "console-test-"));
  const databaseUrl =
    env.DATABASE_URL ??
    (process.env.TEST_DATABASE_URL
      ? await createTestDatabase(process.env.TEST_DATABASE_URL)
      : `file:${path.join(dataDir, "console.db")}`);
  // SERVER_NODE_ARGS: extra Node flags for the server process (e.g. --cpu-prof when profiling a bench).
  const nodeArgs = process.env.SERVER_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(
    process.execPath,
    // Node itself runs the server (tsx's CommonJS hook, as `npm start` does): signals reach it directly.
    ["--require", "tsx/cjs", ...nodeArgs, path.join(ROOT, "server/main.ts")],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        MALLOC_ARENA_MAX: "2",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: databaseUrl,
        LOG_LEVEL: "warn",
        ADMIN_PASSWORD: "test-admin-password",
        // Proof of GPU rents devnet machines: only when a test asks for it.
        POG_INTERVAL_BLOCKS: "100000",
        // Devnet search miners (and their scoring epochs' load) only when a test asks for them.
        DEVNET_SEARCH_MINERS: "0",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const url = `${protocol}://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
    // The banner is printed once the server listens (before that, the port may be held by a placeholder).
    if (/Subnet Console is (listening|running at)/.test(out)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    databaseUrl,
    port,
    dataDir,
    process: child,
    output: () => out,
    stop: (signal = "SIGTERM") =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/**
 * A new, empty Postgres database on the server of `baseUrl` (each test server gets its own), returned
 * as a connection URL.
 */
export async function createTestDatabase(baseUrl: string): Promise<string> {
  const pg = await import("pg");
  const name = `console_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.default.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Signs in through next-auth's credentials flow and returns the session cookie header. */
export async function signIn(url: string, username: string, password: string): Promise<string | null> {
  const csrfRes = await fetch(`${url}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const jar = csrfRes.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${url}/api/auth/callback/password`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body: new URLSearchParams({ csrfToken, username, password, json: "true" }),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .find((c) => c.startsWith("next-auth.session-token="));
  return session ? [...jar, session].join("; ") : null;
}

/** Calls a tRPC procedure over HTTP (superjson-encoded, unbatched). */
export async function trpc(
  url: string,
  proc: string,
  input: unknown,
  cookie?: string,
  kind: "query" | "mutation" = "mutation",
) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (cookie) headers.cookie = cookie;
  const res =
    kind === "mutation"
      ? await fetch(`${url}/api/trpc/${proc}`, { method: "POST", headers, body: JSON.stringify({ json: input }) })
      : await fetch(`${url}/api/trpc/${proc}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
          headers,
        });
  return {
    status: res.status,
    body: (await res.json()) as {
      result?: { data: { json: unknown } };
      error?: { json: { message: string; data: { code: string } } };
    },
  };
}
