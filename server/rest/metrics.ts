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
