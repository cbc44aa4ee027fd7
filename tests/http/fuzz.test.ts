/**
 * Fuzzes every operation in /openapi.json, on both mounts (the custom server's dispatch and Next's),
 * with wrong methods, hostile headers, queries and bodies. New routes are covered without extra work.
 * Every answer: no 5xx, an error body in the module's JSON format; /get_phase keeps answering quickly
 * during and after, and memory stays bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRaw, phaseLatencyMs, rawHttp, rssMb } from "../support/probe";
import { startServer, type RunningServer } from "../support/server";

const TOKEN = "fuzz-token-0123456789";
const ACCESS_KEY = "Fuzz-Access-Key-0123!";
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const LONG = "9".repeat(6000);

interface Case {
  what: string;
  method: string;
  query?: string;
  headers?: Record<string, string>;
  body?: string;
}

function casesFor(method: string): Case[] {
  const auth = { authorization: `Bearer ${TOKEN}`, "access-key": ACCESS_KEY };
  const cases: Case[] = METHODS.map((m) => ({ what: `method ${m}`, method: m }));
  const headerAttacks: Array<[string, Record<string, string>]> = [
    ["a huge bearer token", { authorization: `Bearer ${"x".repeat(8000)}` }],
    ["basic auth", { authorization: "Basic Zm9vOmJhcg==" }],
    [
      "huge signed-request headers",
      { ...auth, "x-hotkey": "5".repeat(8000), "x-timestamp": LONG, "x-signature": "A".repeat(8000) },
    ],
    ["junk signed-request headers", { ...auth, "x-hotkey": "0x00", "x-timestamp": "-1", "x-signature": "0xZZ" }],
    ["a huge expert group", { ...auth, "x-expert-group": LONG, "x-hotkey": "5".repeat(48) }],
    ["odd ranges", { ...auth, range: `bytes=${LONG}-`, "if-range": "x".repeat(3000) }],
    ["a multi-range", { ...auth, range: "bytes=0-1,3-4,-5" }],
  ];
  for (const [what, headers] of headerAttacks) cases.push({ what, method, headers });
  for (const [what, query] of [
    ["a huge query value", `expert_group_id=${LONG}`],
    ["a malformed escape", "expert_group_id=%ZZ&%=%"],
    ["repeated and array keys", "expert_group_id=1&expert_group_id=2&x[]=1"],
    ["unicode", "expert_group_id=%F0%9F%92%A5%00"],
  ])
    cases.push({ what, method, query, headers: auth });
  if (method !== "GET") {
    const json = { ...auth, "content-type": "application/json" };
    const bodies: Array<[string, Record<string, string>, string]> = [
      ["invalid JSON", json, "{not json"],
      ["a JSON array", json, "[1,2,3]"],
      ["deeply nested JSON", json, "[".repeat(50_000) + "]".repeat(50_000)],
      [
        "out-of-range numbers",
        json,
        '{"expert_group":1e309,"block_number":-1,"hotkey":1,"checkpoint_url":null,"signature":{}}',
      ],
      [
        "NUL and unicode strings",
        json,
        JSON.stringify({ hotkey: "\u0000\ud83d\udca5", checkpoint_url: "http://\u0000/", signature: "\u0000" }),
      ],
      ["60 KB of one field", json, JSON.stringify({ hotkey: "5".repeat(60_000) })],
      ["an oversized body", json, "x".repeat(200_000)],
      [
        "multipart garbage",
        { ...auth, "content-type": "multipart/form-data; boundary=b" },
        "--b\r\nContent-Disposition: form-data\r\n\r\nx",
      ],
      ["multipart without a boundary", { ...auth, "content-type": "multipart/form-data" }, "anything"],
      ["urlencoded garbage", { ...auth, "content-type": "application/x-www-form-urlencoded" }, "%%%&&&==="],
      ["a JSON body labelled as text", { ...auth, "content-type": "text/plain" }, '{"a":1}'],
      ["no content type", auth, "raw"],
      ["a JSON body without a token", { "content-type": "application/json" }, "{}"],
    ];
    for (const [what, headers, body] of bodies) cases.push({ what, method, headers, body });
  }
  return cases;
}

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** An error body in the module's format: FastAPI's {"detail": ...} (or SN27's {success: false, message}). */
function isModuleError(body: unknown): boolean {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  return "detail" in b || (b.success === false && typeof b.message === "string");
}

async function fuzz(server: RunningServer): Promise<{ failures: string[]; latencies: number[]; requests: number }> {
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const failures: string[] = [];
  const latencies: number[] = [];
  let requests = 0;
  let done = false;
  const probe = (async () => {
    while (!done) {
      latencies.push(await phaseLatencyMs(server.url));
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  try {
    for (const [template, operations] of Object.entries(doc.paths)) {
      const path = template.replace(/\{\w+\}/g, "1");
      for (const declared of Object.keys(operations)) {
        for (const c of casesFor(declared.toUpperCase())) {
          const url = `${server.url}${path}${c.query ? `?${c.query}` : ""}`;
          const label = `${c.method} ${path} with ${c.what}`;
          requests++;
          const res = await fetch(url, {
            method: c.method,
            headers: { accept: "application/json", ...c.headers },
            body: c.body,
          });
          const type = res.headers.get("content-type") ?? "";
          const text = Buffer.from(await res.arrayBuffer()).toString("utf8");
          // A well-formed search with no miner to answer it is a documented 503, never another 5xx.
          const documented503 =
            res.status === 503 &&
            !!(operations[declared] as { responses?: Record<string, unknown> }).responses?.["503"] &&
            isModuleError(jsonOrNull(text));
          if (res.status >= 500 && !documented503) failures.push(`${label}: ${res.status} ${text.slice(0, 200)}`);
          else if (res.status >= 400) {
            let body: unknown = null;
            try {
              body = JSON.parse(text);
            } catch {
              // not JSON
            }
            if (!type.includes("application/json") || !isModuleError(body))
              failures.push(`${label}: ${res.status} ${type} ${text.slice(0, 120)}`);
          }
        }
        requests++;
        const trace = parseRaw(
          await rawHttp(server.port, `TRACE ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
        );
        if (trace.status !== 405 || !isModuleError(JSON.parse(trace.body || "null")))
          failures.push(`TRACE ${path}: ${trace.status} ${trace.body.slice(0, 80)}`);
      }
    }
  } finally {
    done = true;
    await probe;
  }
  return { failures, latencies, requests };
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

describe.each([
  ["the custom server's dispatch", {}],
  ["Next's mount", { REST_FAST_PATH: "0" }],
])("fuzzing every route of /openapi.json through %s", (_name, env) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      BZ_AUTH_TOKEN: TOKEN,
      COMPUTE_API_KEY: TOKEN,
      EXPECTED_ACCESS_KEY: ACCESS_KEY,
      // A search subnet without miners: valid searches answer 503.
      SEARCH_NETUID: "22",
      DEVNET_MINERS: "0",
      SIM_START_BLOCK: "54346",
      BLOCK_TIME_MS: "3600000",
      ...env,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("never answers 5xx or a non-JSON error; /get_phase stays fast; memory stays bounded", async () => {
    const before = rssMb(server.process.pid!);
    const { failures, latencies, requests } = await fuzz(server);
    expect(requests).toBeGreaterThan(200);
    expect(failures).toEqual([]);
    // During: the loop was never blocked (median and 90th percentile of /get_phase while fuzzing).
    expect(latencies.length).toBeGreaterThan(10);
    expect(percentile(latencies, 50)).toBeLessThan(100);
    expect(percentile(latencies, 90)).toBeLessThan(100);
    // After: still answering quickly.
    const after = await Promise.all([1, 2, 3].map(() => phaseLatencyMs(server.url)));
    expect(Math.min(...after)).toBeLessThan(100);
    expect(rssMb(server.process.pid!) - before).toBeLessThan(150);
  });

  it("answers malformed %-escapes and dot segments in paths at once, never with a 5xx", async () => {
    const malformed = [
      "/twitter/%E0%A4%A",
      "/twitter/%",
      "/twitter/%ZZ",
      "/public/miners/%E0%A4%A",
      "/public/miners/%",
      "/public/miners/%C0%AF",
      "/get_phase/%",
      "/miners/%E0%A4%A",
      // Control characters: no route or page has one.
      "/get_phase%00",
      "/miners/%0a",
      "/public/miners/%7F",
    ];
    // Dot segments resolve to another path: its answer, a redirect to it (Next), or the module's 404.
    const dotted = ["/public/miners/..", "/public/miners/%2e%2e", "/twitter/%2e%2e"];
    for (const path of [...malformed, ...dotted]) {
      const started = Date.now();
      const res = parseRaw(await rawHttp(server.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      const what = `${path}: ${res.status} ${res.body.slice(0, 120)}`;
      expect(Date.now() - started, path).toBeLessThan(5_000);
      expect(res.status, what).toBeLessThan(500);
      if (malformed.includes(path)) expect(res.status, what).toBe(400);
      if (res.status >= 400) expect(isModuleError(JSON.parse(res.body || "null")), what).toBe(true);
    }
    // Still serving.
    expect(await phaseLatencyMs(server.url)).toBeLessThan(1_000);
  });
});
