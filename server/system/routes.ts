import { z } from "zod";
import { chain } from "../chain";
import { cryptoReady } from "../crypto/hotkey";
import { config } from "../env";
import { jobs } from "../jobs";
import { serverGraphLoads } from "../log";
import { enabledModules, type Module } from "../modules";
import { apiRoute, textReply, type RouteHandler } from "../rest/api-route";
import { metricsBearerAuth } from "../rest/auth";
import { addCollector, metrics } from "../rest/metrics";
import { buildOpenApi } from "../rest/openapi";

function registerCollectors(): void {
  addCollector("chain_head_block", "Newest known block of the chain", [], (g) => {
    const head = chain().head();
    if (head !== null) g.set(head);
  });
  addCollector("chain_connected", "1 while connected to the chain", [], (g) =>
    g.set(chain().status().connected ? 1 : 0),
  );
  addCollector("chain_reconnects_total", "Reconnections to the chain since start", [], (g) =>
    g.set(chain().status().reconnects),
  );
  addCollector("chain_last_head_age_seconds", "Seconds since the last new head", [], (g) => {
    const at = chain().status().lastHeadAt;
    if (at !== null) g.set((Date.now() - at) / 1000);
  });
  addCollector(
    "server_module_graph_loads",
    "How many times the server's modules were evaluated in this process (1: one shared instance)",
    [],
    (g) => g.set(serverGraphLoads()),
  );
  addCollector("process_memory_bytes", "This process's memory: rss, heap_total, heap_used, external", ["kind"], (g) => {
    const m = process.memoryUsage();
    g.set({ kind: "rss" }, m.rss);
    g.set({ kind: "heap_total" }, m.heapTotal);
    g.set({ kind: "heap_used" }, m.heapUsed);
    g.set({ kind: "external" }, m.external);
  });
  addCollector("jobs_queue_depth", "Jobs by status", ["status"], async (g) => {
    const d = await jobs().depth();
    g.set({ status: "queued" }, d.queued);
    g.set({ status: "running" }, d.running);
    g.set({ status: "dead" }, d.dead);
  });
}

export const metricsRoute = apiRoute({
  module: "system",
  format: "fastapi",
  method: "GET",
  path: "/metrics",
  tags: ["System"],
  summary: "Prometheus metrics",
  description:
    "Request counts and latency per route, chain head and connection, job queue depth, the process's memory. With METRICS_TOKEN set, a Bearer token is required.",
  response: { description: "Prometheus text format", contentType: "text/plain; version=0.0.4" },
  auth: metricsBearerAuth("metricsBearer", () => config().METRICS_TOKEN),
  examples: {
    response:
      '# TYPE http_requests_total counter\nhttp_requests_total{route="/get_phase",method="GET",status="200"} 1204\n',
    curl: `curl -sS "http://localhost:3000/metrics"`,
  },
  errors: { 401: "METRICS_TOKEN is set and the bearer token is missing or wrong" },
  handler: async () => {
    registerCollectors();
    return textReply(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  },
});

const INTRO =
  'REST surface of Subnet Console. Paths, fields and status codes follow the subnets\' published APIs; modules switched off by ROLES answer 404. Errors of the phase and validator modules are FastAPI-style {"detail": ...}. The dashboard of this console is at [/](/) (Overview shows requests refused and failed per route); examples use http://localhost:3000 and the development key //Alice (the /submit example is signed with its ed25519 form).';
const LIMITS =
  "Limits: a body is read only after authentication and only up to its route's limit (413 past it; 16 KiB for /submit, 4 KiB for POST /get-checkpoint, 64 KiB otherwise); SS58 fields are at most 48 characters and checked for shape before decoding; checkpoint_url at most 2048 printable ASCII characters without credentials; a signed request's signature is accepted once whatever its encoding, across restarts and instances. Wrong methods answer 405 with Allow, near misses of a path (another case, a trailing slash, ;params) 404, malformed requests 400 and oversized headers 431, all as JSON.";

/** The description of the API: what all routes share, then each enabled module's own paragraph. */
const apiDescription = (modules: readonly Module[]) => [INTRO, ...modules.map((m) => m.docs), LIMITS].join("\n\n");

/** The OpenAPI document of these modules' routes and the system's. */
export function openApiFor(modules: readonly Module[]) {
  return buildOpenApi(restRoutes(modules), {
    title: "Subnet Console",
    version: "0.1.0",
    description: apiDescription(modules),
  });
}

let openApiCache: { doc: ReturnType<typeof buildOpenApi>; json: string } | null = null;

/** The OpenAPI document of the routes this process serves (built once): /openapi.json and the /docs page. */
export async function openApiDocument() {
  await cryptoReady; // examples are signed when the document is first built
  if (!openApiCache) {
    const doc = openApiFor(enabledModules());
    openApiCache = { doc, json: JSON.stringify(doc) };
  }
  return openApiCache;
}

export const openApiRoute = apiRoute({
  module: "system",
  format: "fastapi",
  method: "GET",
  path: "/openapi.json",
  tags: ["System"],
  summary: "This API as OpenAPI 3.1",
  response: { description: "The OpenAPI document", schema: z.record(z.string(), z.unknown()) },
  examples: {
    response: { openapi: "3.1.0", info: { title: "Subnet Console", version: "0.1.0" }, servers: [{ url: "/" }] },
    curl: `curl -sS "http://localhost:3000/openapi.json"`,
  },
  handler: async () => textReply((await openApiDocument()).json, 200, { "content-type": "application/json" }),
});

export const systemRoutes = [metricsRoute, openApiRoute];

/** Every REST route of these modules (the enabled ones: what this process serves) and the system's. */
export function restRoutes(modules: readonly Module[] = enabledModules()): RouteHandler[] {
  return [...modules.flatMap((m) => m.routes), ...systemRoutes];
}
