/**
 * Compute events: /connect (key before the upgrade, keepalives, allocation events) and webhooks (upstream's
 * body, x-webhook-signature checked by openssl, delivery retried from the job table across a restart).
 */
import { execFileSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { Prisma } from "@/server/db";
import { queryDatabase } from "../support/db";
import { startServer, type RunningServer } from "../support/server";

const KEY = "compute-events-key-0123456789";
const SECRET = "webhook-secret-0123456789";
const received: Array<{ body: string; signature: string }> = [];
let answer = 503;
let receiver: http.Server;
let hookUrl = "";
let server: RunningServer;

const env = () => ({
  COMPUTE_API_KEY: KEY,
  COMPUTE_NETUID: "27",
  DEVNET_MINERS: "1",
  DEALLOCATION_NOTIFY_URL: hookUrl,
  STATUS_NOTIFY_URL: hookUrl,
  WEBHOOKS_SECRET: SECRET,
  COMPUTE_KEEPALIVE_MS: "300",
  // The L40S rented here never passes Proof of GPU on the devnet: rent as upstream does.
  ALLOCATE_UNVERIFIED: "1",
  SECRETS_KEY: "cd".repeat(32),
});

async function post(path: string, body?: unknown) {
  const res = await fetch(server.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

function connect(url: string, headers: Record<string, string>) {
  const ws = new WebSocket(url.replace(/^http/, "ws") + "/connect", { headers });
  const events: Array<{ type: string; payload: Record<string, unknown> }> = [];
  ws.on("message", (m) => events.push(JSON.parse(m.toString())));
  return { ws, events };
}

async function until<T>(what: string, fn: () => T | Promise<T>, ms = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ body, signature: String(req.headers["x-webhook-signature"] ?? "") });
      res.writeHead(answer, { "content-type": "application/json" }).end('{"status":"success"}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startServer(env());
  await until("the inventory", async () => (await post("/list/count_all_gpus")).body.count > 0, 30_000);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((r) => receiver.close(r));
});

describe("/connect", () => {
  it("checks the API key before the upgrade", async () => {
    const status = (headers: Record<string, string>, query = "") =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(server.url.replace(/^http/, "ws") + "/connect" + query, { headers });
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => (ws.close(), resolve(101)));
        ws.on("error", () => undefined);
      });
    expect(await status({})).toBe(401);
    expect(await status({ authorization: "Bearer wrong" })).toBe(401);
    expect(await status({ "x-api-key": KEY })).toBe(101);
    // Browsers cannot set headers on a WebSocket: the key in the query; a key no header could hold is no key.
    expect(await status({}, `?api_key=${encodeURIComponent(KEY)}`)).toBe(101);
    expect(await status({}, `?api_key=${encodeURIComponent(`${KEY}\n`)}`)).toBe(401);
    expect(await status({}, `?api_key=${"k".repeat(5000)}`)).toBe(401);
  });

  it("sends keepalives and the allocation's events; webhooks are signed and survive a restart", async () => {
    const { ws, events } = connect(server.url, { authorization: `Bearer ${KEY}` });
    await until("two keepalives", () => events.filter((e) => e.type === "keepalive").length >= 2);
    expect(events[0]).toEqual({ type: "keepalive", payload: { time: expect.any(String) } });

    const a = (await post("/service/allocate_spec", { requirements: { gpu_type: "l40s", gpu_size: 40 } })).body.data;
    expect(a.hotkey).toBeTruthy();
    const created = await until("allocation.created", () => events.find((e) => e.type === "allocation.created"));
    expect(created.payload).toMatchObject({ hotkey: a.hotkey, uuid: a.uuid_key, resource: "nvidia l40s" });

    const d = await post(`/service/deallocate?hotkey=${a.hotkey}&uuid_key=${a.uuid_key}&notify_flag=true`);
    expect(d.status).toBe(200);
    const gone = await until("allocation.deallocated", () => events.find((e) => e.type === "allocation.deallocated"));
    expect(gone.payload).toMatchObject({ hotkey: a.hotkey, uuid: a.uuid_key });
    ws.close();

    // The receiver is down (503): the delivery is recorded and pending.
    await until("a first attempt", () => received.length >= 1);
    const rows = () =>
      queryDatabase<{ status: string; attempts: number; lastStatus: number | null; body: string }>(
        server.databaseUrl,
        Prisma.sql`SELECT "status", "attempts", "lastStatus", "body" FROM "WebhookDelivery"`,
      );
    await until("the failed attempt recorded", async () => (await rows())[0]?.attempts >= 1);
    expect((await rows())[0]).toMatchObject({ status: "pending", lastStatus: 503 });

    // Restart with the receiver back: the job table delivers it.
    await server.stop();
    answer = 200;
    const sent = received.length;
    server = await startServer({ ...env(), DATABASE_URL: server.databaseUrl });
    await until("the redelivery", async () => (await rows())[0]?.status === "delivered", 30_000);
    expect(received.length).toBeGreaterThan(sent);

    // Upstream's body, compact, byte for byte what was signed; openssl computes the same HMAC.
    const last = received.at(-1)!;
    expect(last.body).toBe((await rows())[0].body);
    expect(JSON.parse(last.body)).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      deallocated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/),
      hotkey: a.hotkey,
      status: "DEALLOCATION",
      uuid: a.uuid_key,
    });
    expect(Object.keys(JSON.parse(last.body))).toEqual(["time", "deallocated_at", "hotkey", "status", "uuid"]);
    expect(last.body).not.toContain(" ");
    const openssl = execFileSync("openssl", ["dgst", "-sha256", "-hmac", SECRET, "-r"], { input: last.body })
      .toString()
      .split(" ")[0];
    expect(last.signature).toBe(openssl);
  }, 90_000);
});
