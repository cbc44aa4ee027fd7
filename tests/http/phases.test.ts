import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  phaseSchema,
  nextPhasesSchema,
  previousPhasesSchema,
  serviceInfoSchema,
  peersSchema,
} from "@/server/phases/schemas";
import { restRoutes } from "@/server/system/routes";
import { signIn, startServer, trpc, type RunningServer } from "../support/server";
import { SEED_PHASE, SEED_PREVIOUS_AT_54315, SEED_ROOT } from "../support/seed-examples";

const run = promisify(execFile);
const HOUR = String(3_600_000);
const PEERS = ["/ip4/203.0.113.1/tcp/4001/p2p/QmPeerID1", "/ip4/203.0.113.2/tcp/4001/p2p/QmPeerID2"];

let server: RunningServer;
let admin: string;

async function get(path: string, headers: Record<string, string> = {}, base = server.url) {
  const res = await fetch(base + path, { headers, redirect: "manual" });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body, type: res.headers.get("content-type") ?? "", headers: res.headers };
}

async function setHead(block: number) {
  const r = await trpc(server.url, "phases.setSimulatedHead", { block }, admin);
  expect(r.status).toBe(200);
}

beforeAll(async () => {
  server = await startServer({
    SIM_START_BLOCK: "54321",
    BLOCK_TIME_MS: HOUR,
    BOOTSTRAP_PEERS: PEERS.join(","),
    BZ_AUTH_TOKEN: "mounts-token-0123456789",
    DEVNET_MINERS: "0",
  });
  admin = (await signIn(server.url, "admin", "test-admin-password"))!;
  expect(admin).toBeTruthy();
});

afterAll(async () => {
  await server?.stop();
});

describe("phase oracle (seed 002)", () => {
  it("GET / answers the schedule to API clients", async () => {
    const r = await get("/", { accept: "application/json" });
    expect(r.status).toBe(200);
    expect(r.body).toEqual(SEED_ROOT);
    expect(serviceInfoSchema.parse(r.body)).toBeTruthy();
    // No Accept header at all (curl, requests) is an API client too.
    expect((await get("/")).body).toEqual(SEED_ROOT);
  });

  it("GET / sends browsers to the dashboard", async () => {
    const anonymous = await get("/", { accept: "text/html,application/xhtml+xml" });
    expect(anonymous.status).toBe(307);
    expect(anonymous.headers.get("location")).toContain("/signin");
    const signedIn = await get("/", { accept: "text/html", cookie: admin });
    expect(signedIn.status).toBe(200);
    expect(signedIn.type).toContain("text/html");
    expect(String(signedIn.body)).toContain("Subnet Console");
  });

  it("GET /get_phase matches the seed's example at block 54321", async () => {
    await setHead(54321);
    const r = await get("/get_phase");
    expect(r.status).toBe(200);
    expect(r.type).toContain("application/json");
    expect(r.body).toEqual(SEED_PHASE);
    phaseSchema.parse(r.body);
  });

  it("GET /blocks_until_next_phase follows the >= rule", async () => {
    await setHead(54305);
    const r = await get("/blocks_until_next_phase");
    expect(r.status).toBe(200);
    nextPhasesSchema.parse(r.body);
    expect(r.body).toEqual({
      Distribute: [54315, 54319, 10],
      Train: [54320, 54339, 15],
      MinerCommit1: [54340, 54342, 35],
      MinerCommit2: [54343, 54345, 38],
      Submission: [54346, 54348, 41],
      Validate: [54349, 54351, 44],
      Merge: [54307, 54309, 2],
      ValidatorCommit1: [54310, 54312, 5],
      ValidatorCommit2: [54313, 54314, 8],
    });
  });

  it("GET /previous_phase_blocks is the next occurrence shifted back one cycle (the seed's example at 54315)", async () => {
    await setHead(54315);
    const r = await get("/previous_phase_blocks");
    expect(r.status).toBe(200);
    previousPhasesSchema.parse(r.body);
    expect(r.body).toEqual(SEED_PREVIOUS_AT_54315);
    await setHead(54321);
  });

  it("GET /get_init_peer_id lists configured peers, then those an admin adds", async () => {
    const before = await get("/get_init_peer_id");
    expect(before.status).toBe(200);
    expect(before.body).toEqual(PEERS);
    peersSchema.parse(before.body);

    const added = "/dns4/boot.example.org/tcp/4001/p2p/12D3KooWabc";
    const r = await trpc(server.url, "phases.addPeer", { multiaddr: added }, admin);
    expect(r.status).toBe(200);
    expect((await get("/get_init_peer_id")).body).toEqual([...PEERS, added]);

    // Adding it again is reported and changes nothing; so is adding a configured one.
    const again = await trpc(server.url, "phases.addPeer", { multiaddr: added }, admin);
    expect(again.status).toBe(409);
    expect(again.body.error?.json.message).toBe(`${added} is already in the list`);
    expect((await trpc(server.url, "phases.addPeer", { multiaddr: PEERS[0] }, admin)).status).toBe(409);
    expect((await get("/get_init_peer_id")).body).toEqual([...PEERS, added]);

    const list = await trpc(server.url, "phases.peers", undefined, admin, "query");
    const row = (list.body.result!.data.json as Array<{ id: number | null; multiaddr: string }>).find(
      (p) => p.multiaddr === added,
    )!;
    expect((await trpc(server.url, "phases.removePeer", { id: row.id }, admin)).status).toBe(200);
    expect((await get("/get_init_peer_id")).body).toEqual(PEERS);
  });

  it("refuses a malformed bootstrap peer and writes nothing", async () => {
    for (const multiaddr of ["not a multiaddr", "", "/ip4/1.2.3.4/tcp", "x".repeat(600)]) {
      const r = await trpc(server.url, "phases.addPeer", { multiaddr }, admin);
      expect(r.status).toBe(400);
      expect(r.body.error!.json.data.code).toBe("BAD_REQUEST");
    }
    expect((await get("/get_init_peer_id")).body).toEqual(PEERS);
    expect((await get("/get_phase")).status).toBe(200);
  });

  it("keeps admin actions for admins", async () => {
    const anonymous = await trpc(server.url, "phases.addPeer", { multiaddr: "/ip4/198.51.100.1/tcp/1" });
    expect(anonymous.status).toBe(401);
    const wrong = await signIn(server.url, "admin", "wrong-password");
    expect(wrong).toBeNull();
    expect((await trpc(server.url, "phases.setSimulatedHead", { block: 1 })).status).toBe(401);
    expect((await trpc(server.url, "phases.timeline", undefined, undefined, "query")).status).toBe(401);
    expect((await get("/get_init_peer_id")).body).toEqual(PEERS);
  });

  it("answers unknown methods and paths without a 500", async () => {
    const post = await fetch(`${server.url}/get_phase`, { method: "POST", body: "{}" });
    expect(post.status).toBe(405);
    const missing = await get("/no_such_route", { accept: "application/json" });
    expect(missing.status).toBe(404);
  });
});

describe("the seed's clients work unchanged", () => {
  it("the curl commands of seed 000", async () => {
    const { stdout: phase } = await run("curl", ["-s", `${server.url}/get_phase`]);
    expect(JSON.parse(phase)).toEqual(SEED_PHASE);
    const { stdout: next } = await run("curl", ["-s", `${server.url}/blocks_until_next_phase`]);
    expect(Object.values(JSON.parse(next)).every((v) => Array.isArray(v) && v.length === 3)).toBe(true);
    const { stdout: peers } = await run("curl", ["-s", `${server.url}/get_init_peer_id`]);
    expect(JSON.parse(peers)).toEqual(PEERS);
  });

  it("the Python polling loop of seed 000", async () => {
    const script = `import requests
import time

OWNER_URL = "${server.url}"

while True:
    phase = requests.get(f"{OWNER_URL}/get_phase").json()
    print(f"Block {phase['block']}: {phase['phase_name']} "
          f"({phase['blocks_remaining_in_phase']} blocks remaining)")

    if phase["phase_name"] == "Distribute":
        # trigger model download
        pass
    elif phase["phase_name"] == "Submission":
        # trigger checkpoint submission
        pass

    time.sleep(12)  # ~1 block
`;
    // The loop never ends by itself: let it poll once, then stop it.
    const out = await run("timeout", ["4", "python3", "-u", "-c", script]).catch(
      (e: { stdout: string; code: number }) => e,
    );
    expect(out.stdout).toContain("Block 54321: Train (18 blocks remaining)");
  });
});

describe("API description", () => {
  it("/openapi.json lists every REST route with its schema", async () => {
    const r = await get("/openapi.json");
    expect(r.status).toBe(200);
    const doc = r.body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    for (const route of restRoutes()) {
      expect(
        doc.paths[route.def.path]?.[route.def.method.toLowerCase()],
        `${route.def.method} ${route.def.path}`,
      ).toBeDefined();
    }
    expect(doc.paths["/get_phase"].get.responses["400"]).toBeDefined();
    expect(doc.components.schemas.Phase).toMatchObject({
      type: "object",
      required: expect.arrayContaining(["block", "phase_name"]),
    });
  });

  it("/docs renders the OpenAPI document as HTML from the app itself: every path, curl lines to copy, no outside script", async () => {
    const page = await get("/docs", { accept: "text/html" });
    expect(page.status).toBe(200);
    const html = String(page.body);
    const doc = (await get("/openapi.json")).body as { paths: Record<string, Record<string, { operationId: string }>> };
    for (const ops of Object.values(doc.paths))
      for (const op of Object.values(ops)) expect(html).toContain(`id="${op.operationId}"`);
    expect(html).toContain("curl -sS &quot;http://localhost:3000/get_phase&quot;");
    expect(html).not.toMatch(/<script[^>]+src="https?:\/\/(?!localhost)/);
    expect(html).not.toContain("swagger");
  });

  it("/metrics exposes request counts, chain head and queue depth", async () => {
    await get("/get_phase");
    const r = await get("/metrics");
    expect(r.status).toBe(200);
    const text = String(r.body);
    expect(text).toMatch(/http_requests_total\{route="\/get_phase",method="GET",status="200"\} \d+/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.005",route="\/get_phase"\}/);
    expect(text).toMatch(/chain_head_block \d+/);
    expect(text).toMatch(/jobs_queue_depth\{status="queued"\} \d+/);
  });
});

describe("one definition, two mounts", () => {
  it("Next answers every route exactly as the custom server does", async () => {
    const viaNext = await startServer({
      SIM_START_BLOCK: "54321",
      BLOCK_TIME_MS: HOUR,
      BOOTSTRAP_PEERS: PEERS.join(","),
      BZ_AUTH_TOKEN: "mounts-token-0123456789",
      DEVNET_MINERS: "0",
      REST_FAST_PATH: "0",
    });
    try {
      await setHead(54321);
      // Every route of the registry, with and without the Bearer token; bodies compared except /metrics' counters.
      for (const route of restRoutes()) {
        const path = route.def.path.replace(/\{\w+\}/g, "1");
        for (const headers of [
          { accept: "application/json" },
          { accept: "application/json", authorization: "Bearer mounts-token-0123456789" },
        ] as Array<Record<string, string>>) {
          const init = (base: string) =>
            fetch(base + path, {
              method: route.def.method,
              headers: { ...headers, ...(route.def.method === "POST" ? { "content-type": "application/json" } : {}) },
              body: route.def.method === "POST" ? "{}" : undefined,
              redirect: "manual",
            });
          const [a, b] = await Promise.all([init(server.url), init(viaNext.url)]);
          const what = `${route.def.method} ${path} (${headers.authorization ? "token" : "no token"})`;
          expect(b.status, what).toBe(a.status);
          expect(b.headers.get("content-type"), what).toBe(a.headers.get("content-type"));
          const [ta, tb] = [await a.text(), await b.text()];
          if (path !== "/metrics") expect(tb, what).toBe(ta);
        }
      }
      // A streamed download: the same generated model gives the same bytes through either mount.
      const auth = { authorization: "Bearer mounts-token-0123456789" };
      const [x, y] = await Promise.all([
        fetch(`${server.url}/get-checkpoint?expert_group_id=1`, { headers: auth }),
        fetch(`${viaNext.url}/get-checkpoint?expert_group_id=1`, { headers: auth }),
      ]);
      expect([x.status, y.status]).toEqual([200, 200]);
      const hx = createHash("sha256")
        .update(Buffer.from(await x.arrayBuffer()))
        .digest("hex");
      const hy = createHash("sha256")
        .update(Buffer.from(await y.arrayBuffer()))
        .digest("hex");
      expect(hy).toBe(hx);
      expect(y.headers.get("x-content-hash")).toBe(`sha256:${hx}`);
    } finally {
      await viaNext.stop();
    }
  });
});

describe("API docs: examples, errors, headers", () => {
  type Op = {
    description?: string;
    parameters?: Array<{ name: string; example?: unknown }>;
    requestBody?: { content: Record<string, { example?: unknown }> };
    responses: Record<
      string,
      { headers?: Record<string, unknown>; content?: Record<string, { example?: unknown; schema?: unknown }> }
    >;
  };
  let doc: {
    servers: Array<{ url: string }>;
    paths: Record<string, Record<string, Op>>;
    components: { schemas: Record<string, unknown> };
  };
  beforeAll(async () => {
    doc = (await get("/openapi.json")).body as typeof doc;
  });

  it("every operation has an example, every error its {detail} schema, and no ±2^53 bound is left", () => {
    expect(doc.servers).toEqual([{ url: "/", description: "This console" }]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const examples = [
          op.description?.includes("```sh"),
          op.requestBody && Object.values(op.requestBody.content).some((c) => c.example !== undefined),
          Object.values(op.responses).some((r) => Object.values(r.content ?? {}).some((c) => c.example !== undefined)),
        ];
        expect(examples.some(Boolean), `${method} ${path} has an example`).toBe(true);
        for (const [status, r] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          // The compute marketplace keeps SN27's envelope; the others FastAPI's {"detail"}.
          const schema = /^\/(list|service)\//.test(path) ? "SN27Error" : "HTTPError";
          expect(r.content?.["application/json"]?.schema, `${method} ${path} ${status}`).toEqual({
            $ref: `#/components/schemas/${schema}`,
          });
        }
      }
    }
    expect(JSON.stringify(doc)).not.toContain("9007199254740991");
    expect(doc.components.schemas.Phase).toMatchObject({
      properties: { block: { minimum: 0, maximum: 4294967295 } },
    });
  });

  it("declares the download headers clients rely on", () => {
    for (const path of ["/model/partial", "/model/full", "/get-checkpoint"]) {
      const ok = doc.paths[path].get.responses["200"];
      expect(Object.keys(ok.headers ?? {}), path).toEqual(
        expect.arrayContaining(["X-Content-Hash", "ETag", "Content-Range", "X-Model-Version"]),
      );
    }
  });

  it("the phase examples are the oracle's answers at the seed's sample block", () => {
    const example = doc.paths["/get_phase"].get.responses["200"].content!["application/json"].example;
    expect(phaseSchema.parse(example)).toMatchObject({ block: 54305 });
  });

  it("the /submit example carries a signature that verifies (checked with python3-cryptography)", async () => {
    const body = doc.paths["/submit"].post.requestBody!.content["application/json"].example as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["block_number", "checkpoint_url", "expert_group", "hotkey", "signature"]);
    const script = String.raw`
import base64, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
body = json.loads(sys.argv[1])
alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
n = 0
for ch in body["hotkey"]:
    n = n * 58 + alphabet.index(ch)
raw = n.to_bytes(35, "big")
assert raw[0] == 42, "SS58 prefix"
public = raw[1:33]
message = json.dumps({k: body[k] for k in ("block_number", "checkpoint_url", "expert_group", "hotkey")}, sort_keys=True, separators=(",", ":"))
sig = base64.urlsafe_b64decode(body["signature"] + "=" * (-len(body["signature"]) % 4))
Ed25519PublicKey.from_public_bytes(public).verify(sig, message.encode())
print("verified")
`;
    const out = await run("python3", ["-c", script, JSON.stringify(body)]);
    expect(out.stdout.trim()).toBe("verified");
  });
});
