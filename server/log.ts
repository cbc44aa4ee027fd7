import pino from "pino";

/** One logger: JSON lines on stdout. Secrets never go in; the redact list is a second guard. */
export const log = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: undefined,
  redact: [
    "req.headers.authorization",
    "req.headers.cookie",
    'req.headers["access-key"]',
    'req.headers["x-signature"]',
    "password",
    "secret",
  ],
});

/** Requests from this User-Agent (the devnet's own miners) are logged at debug level, not info. */
export const DEVNET_USER_AGENT = "subnet-console-devnet";

// Every server module imports this one, so this counts how often the server's module graph was evaluated
// in this process. The custom server owns the only copy: /metrics reports it and a test holds it at 1.
const LOADS = Symbol.for("subnet-console.server-graph-loads");
const counter = globalThis as unknown as Record<symbol, number | undefined>;
counter[LOADS] = (counter[LOADS] ?? 0) + 1;

export function serverGraphLoads(): number {
  return counter[LOADS] ?? 0;
}
