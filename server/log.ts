import pino from "pino";
import { processSingleton } from "./global";

/** One logger: JSON lines on stdout. Secrets never go in; the redact list is a second guard. */
export const log = processSingleton("log", () =>
  pino({
    level: process.env.LOG_LEVEL ?? "info",
    base: undefined,
    redact: ["req.headers.authorization", "req.headers.cookie", "req.headers[\"access-key\"]", "req.headers[\"x-signature\"]", "password", "secret"],
  }),
);
