import client from "prom-client";

/** Prometheus metrics of this process; gauges that need I/O are filled on scrape by collectors. */
export const metrics = (() => {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Counter({
    name: "http_requests_total",
    help: "REST requests by route, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "REST request latency by route (time to response headers)",
    labelNames: ["route"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  return { registry, requests, latency };
})();

export function addCollector(
  name: string,
  help: string,
  labelNames: string[],
  collect: (g: client.Gauge) => void | Promise<void>,
): void {
  if (metrics.registry.getSingleMetric(name)) return;
  new client.Gauge({
    name,
    help,
    labelNames,
    registers: [metrics.registry],
    collect() {
      return collect(this);
    },
  });
}

export interface RouteOutcomes {
  route: string;
  requests: number;
  /** 4xx answers: the caller was refused (auth, validation, phase, registration). */
  refused: number;
  /** 5xx answers: this console failed. */
  failed: number;
}

/** Per route, requests answered since this process started, from the counters /metrics exports. */
export async function routeOutcomes(): Promise<RouteOutcomes[]> {
  const byRoute = new Map<string, RouteOutcomes>();
  for (const { labels, value } of (await metrics.requests.get()).values) {
    const route = String(labels.route);
    const row = byRoute.get(route) ?? { route, requests: 0, refused: 0, failed: 0 };
    const status = Number(labels.status);
    row.requests += value;
    if (status >= 500) row.failed += value;
    else if (status >= 400) row.refused += value;
    byRoute.set(route, row);
  }
  return [...byRoute.values()].sort(
    (a, b) => b.refused + b.failed - (a.refused + a.failed) || a.route.localeCompare(b.route),
  );
}
