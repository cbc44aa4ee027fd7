import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeHeader, parseHeader, readHeaderLength } from "@/server/models/safetensors";
import { bigramCounts, sampleSequences, trainSpsa } from "@/server/models/tiny-moe";
import { parseSafetensors } from "@/server/devnet/miner";
import { DEVNET_CONFIG } from "@/server/devnet/model";
import { submissionMessage } from "@/server/validator/message";
import { healthSchema, submitResponseSchema } from "@/server/validator/schemas";
import { signIn, startServer, trpc, type RunningServer } from "../support/server";
import { signedSubmission } from "../support/miner";

const run = promisify(execFile);
const TOKEN = "test-bz-token-0123456789";
const AUTH = { authorization: `Bearer ${TOKEN}` };

let server: RunningServer;
let admin: string;
let alice: KeyringPair; // registered miner, sr25519
let bob: KeyringPair; // registered miner, ed25519
let carol: KeyringPair; // not registered
let val: KeyringPair; // validator
let ckpt: http.Server;
let ckptBase: string;
const files = new Map<string, Buffer>();

const b64url = (u8: Uint8Array, pad = false) => {
  const s = Buffer.from(u8).toString("base64url");
  return pad ? s + "=".repeat((4 - (s.length % 4)) % 4) : s;
};

function safetensors(tensors: Array<{ name: string; shape: number[]; data: Float32Array }>): Buffer {
  const { header } = composeHeader(tensors.map((t) => ({ name: t.name, dtype: "F32", shape: t.shape })));
  return Buffer.concat([
    header,
    ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
  ]);
}

function headerOf(body: Buffer) {
  const n = readHeaderLength(body.subarray(0, 8), body.length);
  return parseHeader(body.subarray(8, 8 + n), n, body.length);
}

async function setHead(block: number) {
  expect((await trpc(server.url, "phases.setSimulatedHead", { block }, admin)).status).toBe(200);
}

async function submit(body: unknown, headers: Record<string, string> = AUTH) {
  const res = await fetch(`${server.url}/submit`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function finalState(id: string) {
  for (let i = 0; i < 200; i++) {
    const r = await trpc(server.url, "validator.submission", { id }, admin, "query");
    const s = r.body.result?.data.json as {
      state: string;
      reason: string | null;
      score: number | null;
      points: number | null;
      loss: number | null;
      baselineLoss: number | null;
      steps: unknown[];
    };
    if (s && (s.state === "scored" || s.state === "rejected")) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("submission not evaluated in time");
}

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ ss58Format: 42 });
  alice = keyring.addFromUri("//TestAlice", {}, "sr25519");
  bob = keyring.addFromUri("//TestBob", {}, "ed25519");
  carol = keyring.addFromUri("//TestCarol", {}, "sr25519");
  val = keyring.addFromUri("//TestValidator", {}, "sr25519");
  ckpt = http.createServer((req, res) => {
    const body = files.get(req.url ?? "");
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": body.length }).end(body);
  });
  await new Promise<void>((r) => ckpt.listen(0, "127.0.0.1", r));
  ckptBase = `http://127.0.0.1:${(ckpt.address() as AddressInfo).port}`;
  server = await startServer({
    SIM_START_BLOCK: "54321",
    BLOCK_TIME_MS: "3600000",
    BZ_AUTH_TOKEN: TOKEN,
    DEVNET_MINERS: "0",
    DEVNET_MINER_HOTKEYS: `${alice.address},${bob.address}`,
    DEVNET_VALIDATOR_HOTKEYS: val.address,
    MODELS_DIR: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "console-models-")), "models"),
  });
  admin = (await signIn(server.url, "admin", "test-admin-password"))!;
});

afterAll(async () => {
  await server?.stop();
  ckpt?.close();
});

describe("GET /health", () => {
  it("reports the model, the block and the short phase name without auth", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    const body = healthSchema.parse(await res.json());
    expect(body).toEqual({ status: "healthy", model_loaded: true, current_block: 54321, phase: "train" });
  });
});

describe("GET /model/partial", () => {
  const partial = (headers: Record<string, string>) => fetch(`${server.url}/model/partial`, { headers });

  it("streams exactly the group's tensors with the seed's metadata and a content hash", async () => {
    const res = await partial({ ...AUTH, "x-expert-group": "1", "x-hotkey": alice.address });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const hash = createHash("sha256").update(body).digest("hex");
    expect(res.headers.get("x-content-hash")).toBe(`sha256:${hash}`);
    expect(res.headers.get("etag")).toBe(`"${hash}"`);
    expect(Number(res.headers.get("content-length"))).toBe(body.length);
    expect(res.headers.get("x-expert-group")).toBe("1");
    expect(res.headers.get("x-model-version")).toBe("step_0");
    expect(res.headers.get("x-block-number")).toMatch(/^\d+$/);
    const h = headerOf(body);
    expect(h.metadata).toMatchObject({
      expert_group: "1",
      model_version: "step_0",
      block_number: res.headers.get("x-block-number"),
    });
    const names = h.tensors.map((t) => t.name);
    expect(names).toHaveLength(8);
    expect(names.every((n) => /^model\.layers\.[01]\.mlp\.experts\.[23]\./.test(n))).toBe(true);
  });

  it("resumes with Range to identical bytes", async () => {
    const whole = Buffer.from(
      await (await partial({ ...AUTH, "x-expert-group": "0", "x-hotkey": alice.address })).arrayBuffer(),
    );
    const r = await partial({ ...AUTH, "x-expert-group": "0", "x-hotkey": alice.address, range: "bytes=1000-" });
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe(`bytes 1000-${whole.length - 1}/${whole.length}`);
    const tail = Buffer.from(await r.arrayBuffer());
    expect(Buffer.concat([whole.subarray(0, 1000), tail]).equals(whole)).toBe(true);
    const stale = await partial({
      ...AUTH,
      "x-expert-group": "0",
      "x-hotkey": alice.address,
      range: "bytes=1000-",
      "if-range": '"not-the-etag"',
    });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const beyond = await partial({
      ...AUTH,
      "x-expert-group": "0",
      "x-hotkey": alice.address,
      range: `bytes=${whole.length}-`,
    });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get("content-range")).toBe(`bytes */${whole.length}`);
  });

  it.each([
    ["no token", { "x-expert-group": "0" }, 401],
    ["a wrong token", { authorization: "Bearer nope", "x-expert-group": "0" }, 401],
    ["a non-numeric group", { ...AUTH, "x-expert-group": "zero" }, 400],
    ["a negative group", { ...AUTH, "x-expert-group": "-1" }, 400],
    ["no group header", { ...AUTH }, 400],
    ["an unknown group", { ...AUTH, "x-expert-group": "99" }, 404],
  ])("answers %s with its status", async (_what, headers, status) => {
    const res = await partial({ "x-hotkey": alice.address, ...(headers as Record<string, string>) });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { detail: unknown };
    expect(body.detail).toBeTruthy();
  });

  it("refuses a hotkey that is not SS58 (400) or not registered (403)", async () => {
    expect((await partial({ ...AUTH, "x-expert-group": "0", "x-hotkey": "not-a-hotkey" })).status).toBe(400);
    const res = await partial({ ...AUTH, "x-expert-group": "0", "x-hotkey": carol.address });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ detail: "Hotkey is not registered on the subnet" });
  });

  it("keeps an assigned miner to its group", async () => {
    expect((await trpc(server.url, "validator.assign", { hotkey: bob.address, expertGroup: 2 }, admin)).status).toBe(
      200,
    );
    expect((await partial({ ...AUTH, "x-expert-group": "1", "x-hotkey": bob.address })).status).toBe(403);
    const ok = await partial({ ...AUTH, "x-expert-group": "2", "x-hotkey": bob.address });
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    expect((await trpc(server.url, "validator.unassign", { hotkey: bob.address }, admin)).status).toBe(200);
    // Viewers and visitors cannot assign.
    expect((await trpc(server.url, "validator.assign", { hotkey: bob.address, expertGroup: 2 })).status).toBe(401);
  });

  it("refuses assignments to a group the served model lacks, and unregistered hotkeys unless confirmed", async () => {
    const missing = await trpc(server.url, "validator.assign", { hotkey: bob.address, expertGroup: 99 }, admin);
    expect(missing.status).toBe(422);
    expect(missing.body.error?.json.message).toMatch(/Group 99 does not exist in .* \(groups 0–3\)/);
    const stranger = { hotkey: carol.address, expertGroup: 1 };
    const refused = await trpc(server.url, "validator.assign", stranger, admin);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.json.message).toMatch(/is not registered on subnet 1: confirm to assign it anyway/);
    expect((await trpc(server.url, "validator.assignments", undefined, admin, "query")).body.result?.data.json).toEqual(
      [],
    );
    const confirmed = await trpc(server.url, "validator.assign", { ...stranger, allowUnregistered: true }, admin);
    expect(confirmed.status).toBe(200);
    expect((await trpc(server.url, "validator.unassign", { hotkey: carol.address }, admin)).status).toBe(200);
  });

  it("works with the seed's curl command", async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "curl-")), "expert_group_0.pt");
    await run("curl", [
      "-sf",
      "-H",
      `Authorization: Bearer ${TOKEN}`,
      "-H",
      "X-Expert-Group: 0",
      "-H",
      `X-Hotkey: ${alice.address}`,
      `${server.url}/model/partial`,
      "-o",
      out,
    ]);
    expect(headerOf(fs.readFileSync(out)).metadata.expert_group).toBe("0");
  });
});

describe("GET /model/full", () => {
  const signedGet = (pair: KeyringPair, ts = Math.floor(Date.now() / 1000), pathQ = "/model/full") => ({
    ...AUTH,
    "x-hotkey": pair.address,
    "x-timestamp": String(ts),
    "x-signature": b64url(pair.sign(new TextEncoder().encode(`${ts}.GET.${pathQ}`))),
  });

  it("serves a registered validator that proves its hotkey", async () => {
    const res = await fetch(`${server.url}/model/full`, { headers: signedGet(val) });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get("x-content-hash")).toBe(`sha256:${createHash("sha256").update(body).digest("hex")}`);
    expect(headerOf(body).tensors.length).toBe(3 + 2 * (2 + 16)); // embeddings, norm, head; per layer a norm, the router, 8 experts x 2
  });

  it("answers 401 without the token or without a valid signature, 403 for a miner", async () => {
    expect((await fetch(`${server.url}/model/full`)).status).toBe(401);
    expect((await fetch(`${server.url}/model/full`, { headers: AUTH })).status).toBe(401);
    const stale = signedGet(val, Math.floor(Date.now() / 1000) - 3600);
    expect((await fetch(`${server.url}/model/full`, { headers: stale })).status).toBe(401);
    const forged = { ...signedGet(carol), "x-hotkey": val.address };
    expect((await fetch(`${server.url}/model/full`, { headers: forged })).status).toBe(401);
    const miner = await fetch(`${server.url}/model/full`, { headers: signedGet(alice) });
    expect(miner.status).toBe(403);
    expect(await miner.json()).toEqual({ detail: "Requester hotkey is not registered as a validator" });
  });

  it("refuses a replayed signature", async () => {
    const headers = signedGet(val);
    const first = await fetch(`${server.url}/model/full`, { headers });
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    expect((await fetch(`${server.url}/model/full`, { headers })).status).toBe(401);
  });
});

describe("/get-checkpoint", () => {
  const hashOf = async (res: Response) =>
    createHash("sha256")
      .update(Buffer.from(await res.arrayBuffer()))
      .digest("hex");

  it("gives the full model, a group, or the shared tensors, by query or form field", async () => {
    const full = await fetch(`${server.url}/get-checkpoint`, { headers: AUTH });
    expect(full.status).toBe(200);
    expect(await hashOf(full)).toBe(full.headers.get("x-content-hash")!.slice(7));
    const form = new FormData();
    form.set("expert_group_id", "0");
    const group = await fetch(`${server.url}/get-checkpoint`, { method: "POST", headers: AUTH, body: form });
    expect(group.status).toBe(200);
    expect(group.headers.get("x-expert-group")).toBe("0");
    const byQuery = await fetch(`${server.url}/get-checkpoint?expert_group_id=0`, { headers: AUTH });
    expect(await hashOf(byQuery)).toBe(await hashOf(group));
    const shared = await fetch(`${server.url}/get-checkpoint?expert_group_id=shared`, { headers: AUTH });
    expect(headerOf(Buffer.from(await shared.arrayBuffer())).tensors.every((t) => !t.name.includes(".experts."))).toBe(
      true,
    );
  });

  it("answers 400, 401 and 404 like the other downloads", async () => {
    expect((await fetch(`${server.url}/get-checkpoint`)).status).toBe(401);
    expect((await fetch(`${server.url}/get-checkpoint?expert_group_id=abc`, { headers: AUTH })).status).toBe(400);
    expect((await fetch(`${server.url}/get-checkpoint?expert_group_id=42`, { headers: AUTH })).status).toBe(404);
  });

  it("works with the seed's three curl commands", async () => {
    const curl = async (...extra: string[]) =>
      (
        await run("curl", ["-sf", "-H", `Authorization: Bearer ${TOKEN}`, ...extra, `${server.url}/get-checkpoint`], {
          encoding: "buffer",
          maxBuffer: 1 << 26,
        })
      ).stdout as Buffer;
    expect(headerOf(await curl()).metadata.expert_group).toBe("full");
    expect(headerOf(await curl("-F", "expert_group_id=0")).metadata.expert_group).toBe("0");
    expect(headerOf(await curl("-F", "expert_group_id=shared")).metadata.expert_group).toBe("shared");
  });
});

describe("POST /submit", () => {
  let group0: Map<string, Float32Array>;
  let shapes: Array<{ name: string; shape: number[] }>;
  let base: Map<string, Float32Array>;

  beforeAll(async () => {
    const g = Buffer.from(
      await (
        await fetch(`${server.url}/model/partial`, {
          headers: { ...AUTH, "x-expert-group": "0", "x-hotkey": alice.address },
        })
      ).arrayBuffer(),
    );
    group0 = parseSafetensors(g);
    shapes = headerOf(g).tensors.map((t) => ({ name: t.name, shape: t.shape }));
    base = parseSafetensors(
      Buffer.from(await (await fetch(`${server.url}/get-checkpoint`, { headers: AUTH })).arrayBuffer()),
    );
  });

  it("is locked outside the Submission phase", async () => {
    await setHead(54321);
    const r = await submit(
      signedSubmission(alice, { expert_group: 0, checkpoint_url: `${ckptBase}/a.safetensors`, block_number: 54321 }),
    );
    expect(r.status).toBe(423);
    expect(r.body.detail).toMatch(/Not currently in submit phase/);
  });

  it("accepts a signed submission in the Submission phase (sr25519, unpadded) with the seed's response", async () => {
    await setHead(54346); // first block of Submission in cycle 1207
    // An improved group: trained on the synthetic language like a miner would.
    const w = new Map(base);
    for (const [k, v] of group0) w.set(k, new Float32Array(v));
    const cfg = DEVNET_CONFIG;
    trainSpsa(
      cfg,
      w,
      [...group0.keys()],
      bigramCounts(cfg.vocab_size, sampleSequences(cfg.vocab_size, cfg.devnet_language_seed, 99, 64, 64)),
      40,
      5,
    );
    files.set("/good.safetensors", safetensors(shapes.map((s) => ({ ...s, data: w.get(s.name)! }))));
    const r = await submit(
      signedSubmission(alice, { expert_group: 0, checkpoint_url: `${ckptBase}/good.safetensors`, block_number: 54345 }),
    );
    expect(r.status).toBe(202);
    expect(submitResponseSchema.parse(r.body)).toMatchObject({ status: "accepted", evaluation_eta_blocks: 5 });
    const s = await finalState(r.body.submission_id as string);
    expect(s.state).toBe("scored");
    expect(s.loss!).toBeLessThan(s.baselineLoss!);
    expect(s.score).toBeCloseTo((s.baselineLoss! - s.loss!) ** 1.2, 10);
    expect(s.points).toBe(2.25);
    expect(s.steps.map((x) => (x as string[])[1])).toEqual([
      "queued",
      "fetching",
      "validating",
      "evaluating",
      "scored",
    ]);
  });

  it("accepts ed25519 with padded signatures, and rejects broken checkpoints with a reason", async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      [
        "/nan.safetensors",
        safetensors(
          shapes.map((s, i) => ({
            ...s,
            data: i === 0 ? new Float32Array(group0.get(s.name)!.length).fill(NaN) : group0.get(s.name)!,
          })),
        ),
        /NaN or infinite/,
      ],
      [
        "/shape.safetensors",
        safetensors(
          shapes.map((s, i) =>
            i === 0 ? { name: s.name, shape: [1], data: new Float32Array(1) } : { ...s, data: group0.get(s.name)! },
          ),
        ),
        /dtype or shape differs from the group's F32\[/,
      ],
      [
        "/names.safetensors",
        safetensors([{ name: "model.embed_tokens.weight", shape: [1], data: new Float32Array(1) }]),
        /tensor names differ/,
      ],
      // The reason names the broken rule, never bytes of the file (here read as a header length).
      [
        "/garbage.safetensors",
        Buffer.from("definitely not a checkpoint"),
        /^not a valid safetensors file: header length exceeds \d+ bytes$/,
      ],
      ["/missing.safetensors", Buffer.alloc(0), /answered 404/],
    ];
    let block = 54330;
    for (const [file, body, reason] of cases) {
      if (file !== "/missing.safetensors") files.set(file, body);
      const r = await submit(
        signedSubmission(bob, { expert_group: 0, checkpoint_url: `${ckptBase}${file}`, block_number: block++ }, true),
      );
      expect(r.status, file).toBe(202);
      const s = await finalState(r.body.submission_id as string);
      expect(s.state, file).toBe("rejected");
      expect(s.reason, file).toMatch(reason);
      expect(s.score).toBe(0);
    }
  });

  it("a copy of the base model scores 0", async () => {
    files.set("/copy.safetensors", safetensors(shapes.map((s) => ({ ...s, data: group0.get(s.name)! }))));
    const r = await submit(
      signedSubmission(bob, { expert_group: 0, checkpoint_url: `${ckptBase}/copy.safetensors`, block_number: 54340 }),
    );
    const s = await finalState(r.body.submission_id as string);
    expect(s.state).toBe("scored");
    expect(s.score).toBe(0);
    expect(s.points).toBe(0);
  });

  it.each([
    ["malformed JSON", "{not json", 400, /not valid JSON/],
    ["a missing field", { hotkey: "x" }, 400, null],
    ["an unknown field", "EXTRA", 400, null],
    ["a non-http URL", "FTP", 400, null],
    ["a non-ASCII URL", "UNICODE", 400, null],
  ])("refuses %s with 400 and writes nothing", async (_what, input, status, detail) => {
    let body: unknown = input;
    const good = signedSubmission(alice, { expert_group: 0, checkpoint_url: `${ckptBase}/x`, block_number: 54331 });
    if (input === "EXTRA") body = { ...good, extra: 1 };
    if (input === "FTP")
      body = signedSubmission(alice, { expert_group: 0, checkpoint_url: "ftp://example.com/c", block_number: 54331 });
    if (input === "UNICODE")
      body = signedSubmission(alice, { expert_group: 0, checkpoint_url: "https://exämple.com/c", block_number: 54331 });
    const before = await trpc(server.url, "validator.submissions", {}, admin, "query");
    const r = await submit(body);
    expect(r.status).toBe(status);
    if (detail) expect(String(r.body.detail)).toMatch(detail);
    const after = await trpc(server.url, "validator.submissions", {}, admin, "query");
    expect((after.body.result!.data.json as unknown[]).length).toBe(
      (before.body.result!.data.json as unknown[]).length,
    );
  });

  it("refuses bad signatures, unknown groups and blocks outside the cycle with 400", async () => {
    const ok = signedSubmission(alice, { expert_group: 0, checkpoint_url: `${ckptBase}/x`, block_number: 54332 });
    const cases: Array<[unknown, RegExp]> = [
      [{ ...ok, block_number: 54333 }, /Invalid signature/], // tampered after signing
      [{ ...ok, checkpoint_url: `${ckptBase}/y` }, /Invalid signature/],
      [{ ...ok, signature: b64url(bob.sign(new TextEncoder().encode(submissionMessage(ok)))) }, /Invalid signature/], // wrong key
      [{ ...ok, signature: "%%%" }, /Invalid signature/],
      [
        signedSubmission(alice, { expert_group: 77, checkpoint_url: `${ckptBase}/x`, block_number: 54332 }),
        /Unknown expert group 77/,
      ],
      [
        signedSubmission(alice, { expert_group: 0, checkpoint_url: `${ckptBase}/x`, block_number: 54347 }),
        /in the future/,
      ],
      [
        signedSubmission(alice, { expert_group: 0, checkpoint_url: `${ckptBase}/x`, block_number: 54319 }),
        /outside the cycle that just trained/,
      ],
    ];
    for (const [body, detail] of cases) {
      const r = await submit(body);
      expect(r.status, String(detail)).toBe(400);
      expect(String(r.body.detail)).toMatch(detail);
    }
  });

  it("refuses an unregistered hotkey (403) and a missing token (401)", async () => {
    expect(
      (await submit(signedSubmission(carol, { expert_group: 0, checkpoint_url: `${ckptBase}/x`, block_number: 54332 })))
        .status,
    ).toBe(403);
    expect(
      (
        await submit(
          signedSubmission(alice, { expert_group: 0, checkpoint_url: `${ckptBase}/x`, block_number: 54332 }),
          {},
        )
      ).status,
    ).toBe(401);
  });

  it("accepts exactly one of 64 concurrent identical submissions; the others get 409", async () => {
    files.set("/dup.safetensors", safetensors(shapes.map((s) => ({ ...s, data: group0.get(s.name)! }))));
    const body = signedSubmission(alice, {
      expert_group: 0,
      checkpoint_url: `${ckptBase}/dup.safetensors`,
      block_number: 54334,
    });
    const results = await Promise.all(Array.from({ length: 64 }, () => submit(body)));
    const codes = results.map((r) => r.status).sort();
    expect(codes.filter((c) => c === 202)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(63);
    expect(results.find((r) => r.status === 409)!.body).toEqual({
      detail: "Duplicate submission for this hotkey + block",
    });
    const list = await trpc(server.url, "validator.submissions", { hotkey: alice.address }, admin, "query");
    expect(
      (list.body.result!.data.json as Array<{ blockNumber: number }>).filter((s) => s.blockNumber === 54334),
    ).toHaveLength(1);
  });

  it("works with the seed's curl command", async () => {
    const body = signedSubmission(alice, {
      expert_group: 0,
      checkpoint_url: `${ckptBase}/good.safetensors`,
      block_number: 54336,
    });
    const { stdout } = await run("curl", [
      "-s",
      "-X",
      "POST",
      `${server.url}/submit`,
      "-H",
      `Authorization: Bearer ${TOKEN}`,
      "-H",
      "Content-Type: application/json",
      "-d",
      JSON.stringify(body),
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ status: "accepted", evaluation_eta_blocks: 5 });
  });

  it("shows scores on the miners view with weights that sum to 1", async () => {
    const r = await trpc(server.url, "validator.miners", undefined, admin, "query");
    const miners = (
      r.body.result!.data.json as { miners: Array<{ hotkey: string; weight: number; history: unknown[] }> }
    ).miners;
    const a = miners.find((m) => m.hotkey === alice.address)!;
    expect(a.history.length).toBeGreaterThan(0);
    expect(a.weight).toBeGreaterThan(0);
    expect(miners.reduce((n, m) => n + m.weight, 0)).toBeCloseTo(1, 9);
  });
});
