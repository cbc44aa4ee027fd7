import { z } from "zod";
import { chain } from "../chain";
import { config } from "../env";
import { UnauthorizedError } from "../errors";
import { jobs } from "../jobs";
import { apiRoute, textReply } from "./api-route";
import { addCollector, metrics } from "./metrics";
import { safeEqual } from "./auth";
import { buildOpenApi } from "./openapi";

function registerCollectors(): void {
  addCollector("chain_head_block", "Newest known block of the chain", [], (g) => {
    const head = chain().head();
    if (head !== null) g.set(head);
  });
  addCollector("chain_connected", "1 while connected to the chain", [], (g) => g.set(chain().status().connected ? 1 : 0));
  addCollector("chain_reconnects_total", "Reconnections to the chain since start", [], (g) => g.set(chain().status().reconnects));
  addCollector("chain_last_head_age_seconds", "Seconds since the last new head", [], (g) => {
    const at = chain().status().lastHeadAt;
    if (at !== null) g.set((Date.now() - at) / 1000);
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
  description: "Request counts and latency per route, chain head and connection, job queue depth. With METRICS_TOKEN set, a Bearer token is required.",
  response: { description: "Prometheus text format", contentType: "text/plain; version=0.0.4" },
  errors: { 401: "METRICS_TOKEN is set and the bearer token is missing or wrong" },
  handler: async ({ req }) => {
    const token = config().METRICS_TOKEN;
    if (token) {
      const given = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
      if (!given || !safeEqual(given, token)) throw new UnauthorizedError("Invalid or missing bearer token");
    }
    registerCollectors();
    return textReply(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  },
});

let openApiCache: string | null = null;

export const openApiRoute = apiRoute({
  module: "system",
  format: "fastapi",
  method: "GET",
  path: "/openapi.json",
  tags: ["System"],
  summary: "This API as OpenAPI 3.1",
  response: { description: "The OpenAPI document", schema: z.record(z.string(), z.unknown()) },
  handler: async () => {
    if (!openApiCache) {
      const { restRoutes } = await import("./registry");
      openApiCache = JSON.stringify(
        buildOpenApi(restRoutes, {
          title: "Subnet Console",
          version: "0.1.0",
          description:
            "REST surface of Subnet Console. Paths, fields and status codes follow the subnets' published APIs; modules switched off by ROLES answer 404.",
        }),
      );
    }
    return textReply(openApiCache, 200, { "content-type": "application/json" });
  },
});

export const systemRoutes = [metricsRoute, openApiRoute];
