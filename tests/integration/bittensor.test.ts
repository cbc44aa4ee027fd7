/**
 * The bittensor wire layer over real sockets: the dendrite's requests byte for byte against hand-derived
 * vectors (and hashlib in python3), the axon's pipeline status by status, streams, broken miners, wallets.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Keyring } from "@polkadot/keyring";
import { u8aToHex } from "@polkadot/util";
import { cryptoWaitReady, mnemonicGenerate } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  Axon,
  bodyHash,
  defineSynapse,
  Dendrite,
  JsonObjectScanner,
  loadWalletHotkey,
  PingSynapse,
  validatorsOnly,
  verifyHex,
  WalletError,
  type AxonInfo,
} from "@/server/bittensor";
import { pyStr } from "@/server/bittensor/python";

const run = promisify(execFile);

const Search = defineSynapse({
  name: "SearchSynapse",
  request: { prompt: z.string(), urls: z.array(z.string()), count: z.number().int() },
  response: { results: z.array(z.string()).optional() },
  required: ["prompt"],
  hashFields: ["prompt", "urls", "count"],
});
const Stream = defineSynapse({
  name: "StreamSynapse",
  request: { prompt: z.string(), chunks: z.number().int() },
  required: ["prompt"],
  hashFields: ["prompt"],
  streaming: true,
});
const Slow = defineSynapse({ name: "SlowSynapse", request: { ms: z.number().int() } });
const Broken = defineSynapse({ name: "BrokenSynapse", request: {} });

let alice: ReturnType<Keyring["addFromUri"]>;
let bob: ReturnType<Keyring["addFromUri"]>;
let axon: Axon;
let info: AxonInfo;
let dendrite: Dendrite;
const raw: http.Server[] = [];

async function rawServer(onRequest: http.RequestListener): Promise<number> {
  const s = http.createServer(onRequest);
  raw.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  alice = keyring.addFromUri("//Alice");
  bob = keyring.addFromUri("//Bob");
  axon = new Axon({ signer: bob, maxBodyBytes: 64 * 1024, maxTimeoutS: 5 })
    .attach(Search, (f) => ({ results: f.urls.map((u) => `${f.prompt}:${u}`) }))
    .attach(Stream, async function* (f) {
      for (let i = 0; i < f.chunks; i++) yield JSON.stringify({ i, text: `${f.prompt} ${i}` });
    })
    .attach(Slow, async (f, ctx) => {
      await new Promise((r, j) => {
        const t = setTimeout(r, f.ms);
        ctx.signal.addEventListener("abort", () => (clearTimeout(t), j(ctx.signal.reason)));
      });
      return {};
    })
    .attach(Broken, () => {
      throw new Error("the model is not loaded");
    });
  info = { ip: "127.0.0.1", port: await axon.listen(0), hotkey: bob.address };
  dendrite = new Dendrite({ signer: alice });
});

afterAll(async () => {
  dendrite.close();
  await axon.close();
  for (const s of raw) (s.closeAllConnections(), s.close());
});

describe("conformance with bittensor's rules", () => {
  const NONCE = 1763900000000000000n;
  const UUID = "6f3c3b0e-2d5a-4a1e-9c57-2b8f0d1e4a77";
  // sha3_256(sha3_256("hello") + sha3_256("['a', 'b']") + sha3_256("3")): str() of each hash field in
  // required_hash_fields order, hex digests concatenated, hashed again.
  const SEARCH_HASH = "c68539f6e805d3ee547afb155ec2d8996eee81bd0964cbc731b73ab6ca7bd6b6";
  const EMPTY_HASH = "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a";

  it("body hashes match the hand-derived vectors and python3's hashlib", async () => {
    const fields = { prompt: "hello", urls: ["a", "b"], count: 3 };
    expect(bodyHash(Search, fields)).toBe(SEARCH_HASH);
    expect(bodyHash(PingSynapse, {})).toBe(EMPTY_HASH);
    const py = await run("python3", [
      "-c",
      "import hashlib,json,sys\nh=lambda s: hashlib.sha3_256(s.encode()).hexdigest()\nf=json.loads(sys.argv[1])\nprint(h(''.join(h(str(f[k])) for k in ('prompt','urls','count'))))",
      JSON.stringify(fields),
    ]);
    expect(py.stdout.trim()).toBe(SEARCH_HASH);
  });

  it("str() of field values is Python's (checked against python3)", async () => {
    const values = [
      "plain",
      "it's",
      'say "hi"',
      "tab\tnew\nline",
      "ünï©ødé",
      3,
      -7,
      2.5,
      1e-7,
      1e16,
      true,
      null,
      ["x", 1, [2]],
      { k: ["v"], n: null },
    ];
    const py = await run("python3", [
      "-c",
      "import json,sys\nfor v in json.loads(sys.argv[1]): print(repr(str(v)))",
      JSON.stringify(values),
    ]);
    const pythonSide = py.stdout.trim().split("\n");
    const ours = await run("python3", [
      "-c",
      "import json,sys\nfor v in json.loads(sys.argv[1]): print(repr(v))",
      JSON.stringify(values.map((v) => pyStr(v))),
    ]);
    expect(ours.stdout.trim().split("\n")).toEqual(pythonSide);
  });

  it("a request carries every header, the body and the signature as the Python dendrite sends them", () => {
    const d = new Dendrite({ signer: alice, uuid: UUID, externalIp: "203.0.113.9" });
    const p = d.prepare(info, Search, { prompt: "hello", urls: ["a", "b"], count: 3 }, 12, NONCE);
    d.close();
    expect(p.url).toBe(`http://127.0.0.1:${info.port}/SearchSynapse`);
    expect(p.headers).toMatchObject({
      name: "SearchSynapse",
      timeout: "12.0",
      bt_header_axon_ip: "127.0.0.1",
      bt_header_axon_port: String(info.port),
      bt_header_axon_hotkey: bob.address,
      bt_header_dendrite_ip: "203.0.113.9",
      bt_header_dendrite_version: "10000001",
      bt_header_dendrite_nonce: "1763900000000000000",
      bt_header_dendrite_uuid: UUID,
      bt_header_dendrite_hotkey: alice.address,
      // base64(json.dumps(str())) for the one required field
      bt_header_input_obj_prompt: "IiI=",
      computed_body_hash: SEARCH_HASH,
    });
    expect(p.headers.bt_header_dendrite_signature).toMatch(/^0x[0-9a-f]{128}$/);
    const message = `1763900000000000000.${alice.address}.${bob.address}.${UUID}.${SEARCH_HASH}`;
    expect(verifyHex(message, p.headers.bt_header_dendrite_signature, alice.address)).toBe(true);
    const body = JSON.parse(p.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      prompt: "hello",
      urls: ["a", "b"],
      count: 3,
      name: "SearchSynapse",
      timeout: 12,
      computed_body_hash: SEARCH_HASH,
      dendrite: { hotkey: alice.address, uuid: UUID, version: 10000001 },
      axon: { hotkey: bob.address, port: info.port },
    });
    // The 19-digit nonce is written exactly, not rounded through a double.
    expect(p.body).toContain('"nonce":1763900000000000000');
  });

  it("a request built from the rules alone, without the dendrite, is served", async () => {
    const nonce = BigInt(Date.now()) * 1_000_000n;
    const uuid = "11111111-2222-4333-8444-555555555555";
    const message = `${nonce}.${alice.address}.${bob.address}.${uuid}.${EMPTY_HASH}`;
    const res = await fetch(`http://127.0.0.1:${info.port}/Synapse`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        name: "Synapse",
        timeout: "12.0",
        bt_header_dendrite_hotkey: alice.address,
        bt_header_dendrite_nonce: String(nonce),
        bt_header_dendrite_uuid: uuid,
        bt_header_dendrite_version: "9000000",
        bt_header_dendrite_signature: u8aToHex(alice.sign(new TextEncoder().encode(message))),
        bt_header_axon_hotkey: bob.address,
        computed_body_hash: EMPTY_HASH,
      },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("bt_header_axon_status_code")).toBe("200");
    expect(res.headers.get("bt_header_axon_hotkey")).toBe(bob.address);
  });
});

describe("dendrite and axon over real sockets", () => {
  it("serves a synapse: the answer's fields, the axon's valid signature, its process time", async () => {
    const r = await dendrite.call(info, Search, { prompt: "q", urls: ["x", "y"], count: 2 }, { timeout: 5 });
    expect(r).toMatchObject({ status: 200, message: "Success", signatureValid: true });
    expect(r.response?.results).toEqual(["q:x", "q:y"]);
    expect(r.processTime).toBeGreaterThanOrEqual(0);
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it("401 for a signature by another key, one made for another axon, a replayed nonce and a stale one", async () => {
    const charlie = new Keyring({ type: "sr25519" }).addFromUri("//Charlie").address;
    const wrong = await dendrite.call({ ...info, hotkey: charlie }, PingSynapse, {});
    expect(wrong).toMatchObject({ status: 401, message: "Signature mismatch" });

    // Signed by another key than the hotkey the request claims.
    const forged = new Dendrite({ signer: alice }).prepare(info, PingSynapse, {}, 12);
    const charliePair = new Keyring({ type: "sr25519" }).addFromUri("//Charlie");
    const claimed = `${forged.nonce}.${alice.address}.${bob.address}.${forged.headers.bt_header_dendrite_uuid}.${forged.headers.computed_body_hash}`;
    forged.headers.bt_header_dendrite_signature = u8aToHex(charliePair.sign(new TextEncoder().encode(claimed)));
    const f = await fetch(forged.url, { method: "POST", headers: forged.headers, body: forged.body });
    expect(f.status).toBe(401);
    expect(await f.json()).toEqual({ message: "Signature mismatch" });

    const d = new Dendrite({ signer: alice });
    const p = d.prepare(info, PingSynapse, {}, 12);
    const send = () =>
      fetch(p.url, { method: "POST", headers: { ...p.headers, "content-type": "application/json" }, body: p.body });
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ message: "Nonce is too old, a newer one was last processed" });

    const stale = new Dendrite({ signer: alice });
    const old = stale.prepare(info, PingSynapse, {}, 1, BigInt(Date.now() - 20_000) * 1_000_000n);
    const r = await fetch(old.url, { method: "POST", headers: old.headers, body: old.body });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { message: string }).message).toMatch(
      /^Nonce is too old: acceptable delta is 5.00 seconds/,
    );
    d.close();
    stale.close();
  });

  it("403 from the blacklist, 404 for an unknown synapse, 413 for a body over the limit", async () => {
    const guarded = new Axon({ signer: bob, blacklist: validatorsOnly(() => false) });
    const port = await guarded.listen(0);
    const r = await dendrite.call({ ...info, port }, PingSynapse, {});
    expect(r).toMatchObject({ status: 403, message: `Hotkey ${alice.address} is not a registered validator` });
    await guarded.close();

    const unknown = await dendrite.call(info, defineSynapse({ name: "NotServed", request: {} }), {});
    expect(unknown.status).toBe(404);
    expect(unknown.message).toMatch(/^Synapse name 'NotServed' not found/);

    const big = await dendrite.call(info, Search, { prompt: "x".repeat(70 * 1024), urls: [], count: 0 });
    expect(big).toMatchObject({ status: 413 });
  });

  it("408 when the handler runs past the timeout; 500 with the message when it throws; the axon lives on", async () => {
    const slow = await dendrite.call(info, Slow, { ms: 3000 }, { timeout: 0.5 });
    expect(slow.status).toBe(408);
    const broken = await dendrite.call(info, Broken, {});
    expect(broken).toMatchObject({ status: 500, message: "Internal Server Error: the model is not loaded" });
    expect((await dendrite.call(info, PingSynapse, {})).status).toBe(200);
  });

  it("streams 1,000 chunks in order, whole JSON objects across chunk boundaries", async () => {
    const call = dendrite.callStream(info, Stream, { prompt: "p", chunks: 1000 }, { timeout: 10 });
    const scanner = new JsonObjectScanner();
    const seen: number[] = [];
    for await (const chunk of call) for (const o of scanner.push(chunk)) seen.push((o as { i: number }).i);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(scanner.complete).toBe(true);
    expect(await call.result).toMatchObject({ status: 200, signatureValid: true });
  });

  it("a miner that hangs, answers garbage, closes mid-stream or is down gives a status, not an exception", async () => {
    const hang = await rawServer(() => undefined);
    const garbage = await rawServer((_q, s) => s.writeHead(200, { "content-type": "application/json" }).end("<html>"));
    const cut = await rawServer((_q, s) => {
      s.writeHead(200, { "content-type": "text/event-stream" });
      s.write('{"i":0}{"i":');
      setTimeout(() => s.destroy(), 50);
    });
    const closed = await rawServer(() => undefined);
    raw.at(-1)!.close();
    const axons = [info, { ...info, port: hang }, { ...info, port: garbage }, { ...info, port: closed }];
    const results = await dendrite.forward(axons, PingSynapse, {}, { timeout: 1, concurrency: 2 });
    expect(results.map((r) => r.status)).toEqual([200, 408, 422, 503]);
    expect(results.map((r) => r.axon.port)).toEqual(axons.map((a) => a.port));

    const stream = dendrite.callStream({ ...info, port: cut }, Stream, { prompt: "p", chunks: 1 }, { timeout: 2 });
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('{"i":0}{"i":');
    expect((await stream.result).status).toBe(400);
  });

  it("concurrent calls from one dendrite to one axon are never refused for their nonce (one uuid per call in flight)", async () => {
    const results = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => dendrite.call(info, Search, { prompt: `p${i}`, urls: ["u"], count: 1 })),
      ...Array.from({ length: 40 }, async (_, i) => {
        const call = dendrite.callStream(info, Stream, { prompt: `s${i}`, chunks: 3 });
        for await (const _chunk of call) {
          // read to the end
        }
        return call.result;
      }),
    ]);
    expect(results.map((r) => `${r.status} ${r.message}`).filter((x) => !x.startsWith("200"))).toEqual([]);
    // Sequential calls keep the dendrite's own uuid.
    const one = dendrite.prepare(info, Search, { prompt: "x", urls: [], count: 0 }, 5);
    expect(one.headers.bt_header_dendrite_uuid).toBe(dendrite.uuid);
  });

  it("a caller that stops reading a stream cancels the miner's handler", async () => {
    const stream = dendrite.callStream(info, Stream, { prompt: "p", chunks: 100_000 }, { timeout: 10 });
    let n = 0;
    for await (const _ of stream) if (++n === 3) break;
    expect((await stream.result).status).toBe(499);
    expect((await dendrite.call(info, PingSynapse, {})).status).toBe(200);
  });
});

describe("hostile input to the axon", () => {
  it("random headers and bodies get a 4xx in {message} form, never a 5xx or a hang", async () => {
    const d = new Dendrite({ signer: alice });
    const base = d.prepare(info, Search, { prompt: "p", urls: [], count: 1 }, 5);
    d.close();
    const junk = [
      "",
      "0",
      "-1",
      "x".repeat(600),
      "0x" + "f".repeat(128),
      "99999999999999999999999999999999",
      "\u0000",
      "null",
    ];
    const pick = <T>(a: T[]) => a[Math.floor(Math.random() * a.length)];
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const headers: Record<string, string> = { ...base.headers };
      for (const k of Object.keys(headers))
        if (Math.random() < 0.2) headers[k] = pick(junk).replace(/[^\x20-\x7e]/g, "");
      if (Math.random() < 0.1) delete headers.bt_header_dendrite_hotkey;
      const path = pick([
        "/SearchSynapse",
        "/Synapse",
        "/searchsynapse",
        "/SearchSynapse/",
        "/%00",
        "/" + "A".repeat(300),
      ]);
      const body = pick([base.body, "{", "[]", '{"prompt": 5}', "x".repeat(70 * 1024), ""]);
      const r = await fetch(`http://127.0.0.1:${info.port}${path}`, { method: "POST", headers, body });
      seen.add(r.status);
      expect(r.status, `${path} ${JSON.stringify(headers).slice(0, 200)}`).toBeGreaterThanOrEqual(200);
      expect(r.status).toBeLessThan(500);
      if (r.status >= 400) expect(typeof ((await r.json()) as { message: unknown }).message).toBe("string");
      else await r.arrayBuffer();
    }
    expect([...seen].every((s) => [200, 400, 401, 404, 413].includes(s))).toBe(true);
    expect((await dendrite.call(info, PingSynapse, {})).status).toBe(200);
  });
});

describe("wallet hotkey files", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wallets-"));
  const write = (hotkey: string, text: string) => {
    fs.mkdirSync(path.join(dir, "w", "hotkeys"), { recursive: true });
    fs.writeFileSync(path.join(dir, "w", "hotkeys", hotkey), text);
  };

  it("reads a phrase or a seed, and checks the address", () => {
    const phrase = mnemonicGenerate();
    const fromPhrase = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromMnemonic(phrase);
    write("phrase", JSON.stringify({ secretPhrase: phrase, ss58Address: fromPhrase.address }));
    expect(loadWalletHotkey({ path: dir, name: "w", hotkey: "phrase" }).address).toBe(fromPhrase.address);

    const seed = `0x${"11".repeat(32)}`;
    const fromSeed = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri(seed);
    write("seed", JSON.stringify({ secretSeed: seed, ss58Address: fromSeed.address }));
    expect(loadWalletHotkey({ path: dir, name: "w", hotkey: "seed" }).address).toBe(fromSeed.address);

    write("mismatch", JSON.stringify({ secretSeed: seed, ss58Address: fromPhrase.address }));
    expect(() => loadWalletHotkey({ path: dir, name: "w", hotkey: "mismatch" })).toThrow(/not the ss58Address/);
  });

  it("says clearly when the file is missing, encrypted or malformed", () => {
    expect(() => loadWalletHotkey({ path: dir, name: "w", hotkey: "nope" })).toThrow(WalletError);
    expect(() => loadWalletHotkey({ path: dir, name: "w", hotkey: "nope" })).toThrow(/not found/);
    write("encrypted", "$NACL" + "x".repeat(100));
    expect(() => loadWalletHotkey({ path: dir, name: "w", hotkey: "encrypted" })).toThrow(/is encrypted/);
    write("junk", "{not json");
    expect(() => loadWalletHotkey({ path: dir, name: "w", hotkey: "junk" })).toThrow(/not a bittensor hotkey file/);
    write("empty", "{}");
    expect(() => loadWalletHotkey({ path: dir, name: "w", hotkey: "empty" })).toThrow(/neither secretPhrase/);
  });
});
