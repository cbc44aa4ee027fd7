/**
 * Attacks on the shared layers, each a defect once found: stalls, bloat, replays, lock-outs, leaked
 * secrets, SSRF, 500s and non-JSON errors. Every answer must be the module's own error, quickly.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import type { KeyringPair } from "@polkadot/keyring/types";
import { u8aToHex } from "@polkadot/util";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/server/db";
import { queryDatabase } from "../support/db";
import { bigUpload, parseRaw, phaseLatencyMs, rawHttp, rssMb } from "../support/probe";
import { signIn, startServer, trpc, type RunningServer } from "../support/server";

const TOKEN = "hostile-token-0123456789";
const AUTH = { authorization: `Bearer ${TOKEN}` };
let server: RunningServer;
let keyring: Keyring;
let validator: KeyringPair;
let miner: KeyringPair;

beforeAll(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  validator = keyring.addFromUri("//HostileValidator");
  miner = keyring.addFromUri("//HostileMiner");
  server = await startServer({
    SIM_START_BLOCK: "54346", // Submission phase
    BLOCK_TIME_MS: "3600000",
    BZ_AUTH_TOKEN: TOKEN,
    DEVNET_MINERS: "0",
    DEVNET_MINER_HOTKEYS: miner.address,
    DEVNET_VALIDATOR_HOTKEYS: validator.address,
  });
});

afterAll(async () => {
  await server?.stop();
});

const post = (url: string, body: string, headers: Record<string, string>) =>
  fetch(url, { method: "POST", headers, body }).then(async (r) => ({
    status: r.status,
    text: await r.text(),
    headers: r.headers,
  }));

/** While `attack` runs, /get_phase keeps answering quickly: the event loop is never blocked. */
async function duringAttack<T>(attack: () => Promise<T>): Promise<{ result: T; worstMs: number }> {
  let done = false;
  let worstMs = 0;
  const probe = (async () => {
    while (!done) {
      worstMs = Math.max(worstMs, await phaseLatencyMs(server.url));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const result = await attack().finally(() => (done = true));
  await probe;
  return { result, worstMs };
}

function signedHeaders(pair: KeyringPair, pathWithQuery: string, ts = Math.floor(Date.now() / 1000)) {
  const sig = Buffer.from(pair.sign(new TextEncoder().encode(`${ts}.GET.${pathWithQuery}`)));
  return { ts, sig, headers: { ...AUTH, "x-hotkey": pair.address, "x-timestamp": String(ts) } };
}

describe("1. SS58 fields are bounded before decoding", () => {
  it("a 48,000-character address to walletNonce is refused at once; the server keeps answering", async () => {
    const { result, worstMs } = await duringAttack(() =>
      trpc(server.url, "system.walletNonce", { address: "5".repeat(48_000) }),
    );
    expect(result.status).toBe(400);
    expect(worstMs).toBeLessThan(1000); // seconds to minutes before the fix
  });

  it("a 15 KB hotkey in /submit and a 12 KB X-Hotkey are refused at once", async () => {
    const body = JSON.stringify({
      hotkey: "5".repeat(15_000),
      expert_group: 0,
      checkpoint_url: "http://x/y",
      block_number: 1,
      signature: "AA",
    });
    const { result, worstMs } = await duringAttack(() =>
      Promise.all([
        post(`${server.url}/submit`, body, { ...AUTH, "content-type": "application/json" }),
        fetch(`${server.url}/model/full`, {
          headers: { ...AUTH, "x-hotkey": "5".repeat(12_000), "x-timestamp": "1", "x-signature": "AA" },
        }),
      ]),
    );
    expect(result[0].status).toBe(400);
    expect(JSON.parse(result[0].text).detail[0].loc).toEqual(["body", "hotkey"]);
    expect(result[1].status).toBe(401);
    expect(worstMs).toBeLessThan(1000); // seconds to minutes before the fix
  });
});

describe("2. bodies: authentication first, then a per-route limit", () => {
  it("refuses an unauthenticated body with 401 before reading it, and an authenticated one past the limit with 413", async () => {
    const noAuth = await bigUpload(`${server.url}/submit`, 5 << 20, { "content-type": "application/json" });
    expect(noAuth.status).toBe(401);
    expect(JSON.parse(noAuth.body)).toEqual({ detail: "Invalid or missing bearer token" });
    const big = await bigUpload(`${server.url}/submit`, 5 << 20, { ...AUTH, "content-type": "application/json" });
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body)).toEqual({ detail: "Request body too large (limit 16384 bytes)" });
    const declared = await post(`${server.url}/submit`, "x".repeat(20_000), {
      ...AUTH,
      "content-type": "application/json",
    });
    expect(declared.status).toBe(413);
  });

  it("caps tRPC and sign-in bodies too", async () => {
    const t = await bigUpload(`${server.url}/api/trpc/system.walletNonce`, 2 << 20, {
      "content-type": "application/json",
    });
    expect(t.status).toBe(413);
    expect(JSON.parse(t.body).error.json.data.code).toBe("PAYLOAD_TOO_LARGE");
    const a = await bigUpload(`${server.url}/api/auth/callback/password`, 2 << 20, {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(a.status).toBe(413);
  });

  it("four 50 MB uploads leave memory where it was", async () => {
    const before = rssMb(server.process.pid!);
    const uploads = await Promise.all(
      Array.from({ length: 4 }, () =>
        bigUpload(`${server.url}/submit`, 50 << 20, { ...AUTH, "content-type": "application/json" }),
      ),
    );
    expect(uploads.map((u) => u.status)).toEqual([413, 413, 413, 413]);
    expect(rssMb(server.process.pid!) - before).toBeLessThan(100);
  });
});

describe("3. a signed request is accepted once, whatever its encoding, across restarts", () => {
  it("refuses re-encodings of an accepted signature, and the same signature after a restart", async () => {
    const { sig, headers } = signedHeaders(validator, "/model/full");
    const first = await fetch(`${server.url}/model/full`, {
      headers: { ...headers, "x-signature": sig.toString("base64url") },
    });
    expect(first.status).toBe(200);
    await first.body?.cancel();
    for (const encoding of [
      sig.toString("base64"),
      sig.toString("base64url") + "==",
      "0x" + sig.toString("hex"),
      "0x" + sig.toString("hex").toUpperCase(),
    ]) {
      const again = await fetch(`${server.url}/model/full`, { headers: { ...headers, "x-signature": encoding } });
      expect(again.status, encoding).toBe(401);
      expect(await again.json()).toEqual({ detail: "Signature already used" });
    }
    const restarted = await startServer({
      DATABASE_URL: server.databaseUrl,
      BZ_AUTH_TOKEN: TOKEN,
      DEVNET_MINERS: "0",
      DEVNET_VALIDATOR_HOTKEYS: validator.address,
      SIM_START_BLOCK: "54346",
      BLOCK_TIME_MS: "3600000",
    });
    try {
      const replay = await fetch(`${restarted.url}/model/full`, {
        headers: { ...headers, "x-signature": sig.toString("base64url") },
      });
      expect(replay.status).toBe(401);
    } finally {
      await restarted.stop();
    }
  });
});

/** A password sign-in from a chosen loopback address; the error next-auth reports, or "ok". */
async function passwordFrom(localAddress: string, username: string, password: string): Promise<string> {
  const get = (p: string, headers: Record<string, string> = {}) =>
    new Promise<{ headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      http
        .get(`${server.url}${p}`, { localAddress, headers }, (res) => {
          let body = "";
          res.on("data", (d) => (body += d));
          res.on("end", () => resolve({ headers: res.headers, body }));
        })
        .on("error", reject);
    });
  const csrf = await get("/api/auth/csrf");
  const cookie = (csrf.headers["set-cookie"] ?? []).map((c) => c.split(";")[0]).join("; ");
  const form = new URLSearchParams({
    csrfToken: JSON.parse(csrf.body).csrfToken,
    username,
    password,
    json: "true",
  }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}/api/auth/callback/password`,
      {
        method: "POST",
        localAddress,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie,
          "content-length": Buffer.byteLength(form),
        },
      },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => {
          const url = new URL(JSON.parse(body).url);
          resolve(url.searchParams.get("error") ?? "ok");
        });
      },
    );
    req.on("error", reject);
    req.end(form);
  });
}

describe("4-5. the sign-in brake", () => {
  it("checks at most 10 of 60 concurrent guesses; the right password from another address still works", async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, () => passwordFrom("127.0.0.5", "admin", "wrong-password")),
    );
    const checked = results.filter((r) => r === "CredentialsSignin").length;
    expect(checked).toBeLessThanOrEqual(10);
    expect(results.filter((r) => /Too many sign-in attempts/.test(r)).length).toBe(60 - checked);
    expect(await passwordFrom("127.0.0.5", "admin", "test-admin-password")).toMatch(/Too many/);
    expect(await passwordFrom("127.0.0.6", "admin", "test-admin-password")).toBe("ok");
  });

  it("refuses a huge username without holding it, and logs it truncated", async () => {
    const long = "u".repeat(10_000);
    expect(await passwordFrom("127.0.0.7", long, "x")).toBe("CredentialsSignin");
    for (let i = 0; i < 50 && !server.output().includes("…(10000 chars)"); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(server.output()).toContain("…(10000 chars)");
    expect(server.output()).not.toContain(long);
  });
});

describe("6. secrets at rest", () => {
  it("keeps the session secret out of the database and seals the miner token; an independent AES-GCM opens it", async () => {
    const own = await startServer({ DEVNET_MINERS: "0" });
    try {
      const file = path.join(
        path.dirname(own.databaseUrl.startsWith("file:") ? own.databaseUrl.slice(5) : path.join(own.dataDir, "x")),
        "secrets.json",
      );
      const secretsFile = fs.existsSync(file) ? file : path.join(process.cwd(), "data", "secrets.json");
      expect((fs.statSync(secretsFile).mode & 0o777).toString(8)).toBe("600");
      const secrets = JSON.parse(fs.readFileSync(secretsFile, "utf8")) as {
        sessionSecret: string;
        encryptionKey: string;
      };
      const admin = (await signIn(own.url, "admin", "test-admin-password"))!;
      const token = (await trpc(own.url, "validator.token", undefined, admin, "query")).body.result!.data.json as {
        token: string;
      };
      expect(
        (
          await fetch(`${own.url}/get-checkpoint?expert_group_id=0`, {
            headers: { authorization: `Bearer ${token.token}` },
          })
        ).status,
      ).toBe(200);
      const rows = await settingsRows(own.databaseUrl);
      expect(rows.map((r) => r.key)).not.toContain("auth.sessionSecret");
      expect(JSON.stringify(rows)).not.toContain(secrets.sessionSecret);
      expect(JSON.stringify(rows)).not.toContain(token.token);
      const sealed = rows.find((r) => r.key === "validator.authToken")!.value;
      expect(sealed).toMatch(/^enc:v1:/);
      const opened = execFileSync("/usr/bin/python3", ["-c", PY_OPEN, secrets.encryptionKey, sealed], {
        encoding: "utf8",
      }).trim();
      expect(opened).toBe(token.token);
    } finally {
      await own.stop();
    }
  });
});

const PY_OPEN = `
import base64, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
pad = lambda s: s + "=" * (-len(s) % 4)
key = base64.urlsafe_b64decode(pad(sys.argv[1]))
raw = base64.urlsafe_b64decode(pad(sys.argv[2][len("enc:v1:"):]))
iv, tag, ct = raw[:12], raw[12:28], raw[28:]
print(AESGCM(key).decrypt(iv, ct + tag, None).decode())
`;

const settingsRows = (databaseUrl: string) =>
  queryDatabase<{ key: string; value: string }>(databaseUrl, Prisma.sql`SELECT "key", "value" FROM "Setting"`);

/** Wallet sign-in over HTTP: nonce from tRPC, signature by `pair`; next-auth's error or "ok". */
async function walletSignIn(base: string, pair: KeyringPair): Promise<string> {
  return (await walletSession(base, pair)).result;
}

/** Wallet sign-in: next-auth's error or "ok", and the session's cookie header. */
async function walletSession(base: string, pair: KeyringPair): Promise<{ result: string; cookie: string }> {
  const nonce = (await trpc(base, "system.walletNonce", { address: pair.address })).body.result!.data.json as {
    nonce: string;
    message: string;
  };
  const csrfRes = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrfRes.json()) as { csrfToken: string };
  const cookie = csrfRes.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await fetch(`${base}/api/auth/callback/wallet`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({
      csrfToken,
      address: pair.address,
      nonce: nonce.nonce,
      signature: u8aToHex(pair.sign(nonce.message)),
      json: "true",
    }),
  });
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .filter((c) => c.startsWith("next-auth.session-token="));
  return {
    result: new URL(((await res.json()) as { url: string }).url).searchParams.get("error") ?? "ok",
    cookie: [cookie, ...session].join("; "),
  };
}

describe("the search playground calls miners: admins only, 10 searches a minute each", () => {
  it("refuses anonymous callers and a signed-in viewer, answers an admin, refuses the admin's 11th in a minute", async () => {
    // Its own server: a registered miner (a viewer) and a clean rate limit.
    const own = await startServer({ DEVNET_MINERS: "0", DEVNET_MINER_HOTKEYS: miner.address });
    try {
      const input = { prompt: "hostile playground", tools: ["Web Search"], count: 10 };
      const play = async (cookie?: string) => {
        const res = await fetch(
          `${own.url}/api/trpc/search.playground?input=${encodeURIComponent(JSON.stringify({ json: input }))}`,
          {
            headers: { accept: "text/event-stream", ...(cookie ? { cookie } : {}) },
            signal: AbortSignal.timeout(30_000),
          },
        );
        return `${res.status} ${await res.text()}`;
      };
      // Refusals come as the subscription's error event: nothing is asked of a miner.
      expect(await play()).toMatch(/event: serialized-error\n.*"httpStatus":401/);
      const viewer = await walletSession(own.url, miner);
      expect(viewer.result).toBe("ok");
      expect(await play(viewer.cookie)).toMatch(/event: serialized-error\n.*"message":"Admins only".*"httpStatus":403/);
      const admin = (await signIn(own.url, "admin", "test-admin-password"))!;
      for (let i = 0; i < 10; i++) {
        const answer = await play(admin);
        expect(answer, `search ${i + 1}`).toMatch(/"kind":"end"/);
        expect(answer, `search ${i + 1}`).not.toMatch(/serialized-error/);
      }
      expect(await play(admin)).toMatch(/event: serialized-error\n.*"httpStatus":429/);
    } finally {
      await own.stop();
    }
  });
});

describe("7. a private dashboard admits registered hotkeys and VIEWER_HOTKEYS only", () => {
  it("refuses a fresh wallet with a clear message, admits a registered miner and a listed viewer", async () => {
    const listed = keyring.addFromUri("//HostileListedViewer");
    const own = await startServer({
      DEVNET_MINERS: "0",
      DEVNET_MINER_HOTKEYS: miner.address,
      VIEWER_HOTKEYS: listed.address,
      PUBLIC_DASHBOARD: "0",
    });
    try {
      expect(await walletSignIn(own.url, keyring.addFromUri(`//Stranger${Date.now()}`))).toMatch(
        /not registered on subnets 1, 22, 27 and not in VIEWER_HOTKEYS/,
      );
      expect(await walletSignIn(own.url, miner)).toBe("ok");
      expect(await walletSignIn(own.url, listed)).toBe("ok");
    } finally {
      await own.stop();
    }
  });
});

describe("9-11. errors keep the module's JSON format, never 500", () => {
  it("a malformed multipart body, JSON labelled multipart and TRACE get 400/405", async () => {
    const form = await post(`${server.url}/get-checkpoint`, "--x\r\nbroken", {
      ...AUTH,
      "content-type": "multipart/form-data; boundary=zzz",
    });
    expect(form.status).toBe(400);
    expect(JSON.parse(form.text).detail).toMatch(/multipart\/form-data/);
    const labelled = await post(`${server.url}/submit`, '{"hotkey":"x"}', {
      ...AUTH,
      "content-type": "multipart/form-data; boundary=zzz",
    });
    expect(labelled.status).toBe(400);
    for (const p of ["/get_phase", "/", "/models", "/nowhere"]) {
      const trace = parseRaw(await rawHttp(server.port, `TRACE ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      expect(trace.status, p).toBe(405);
      expect(JSON.parse(trace.body), p).toEqual({ detail: "Method Not Allowed" });
    }
  });

  it("wrong methods, case variants and ;params of REST paths answer JSON; parser errors too", async () => {
    const del = await fetch(`${server.url}/get_phase`, { method: "DELETE" });
    expect(del.status).toBe(405);
    expect(del.headers.get("allow")).toBe("GET, HEAD");
    expect(await del.json()).toEqual({ detail: "Method Not Allowed" });
    for (const p of ["/GET_PHASE", "/submit;x", "/health/", "/Model/Full"]) {
      const r = await fetch(`${server.url}${p}`);
      expect(r.status, p).toBe(404);
      expect(await r.json(), p).toEqual({ detail: "Not Found" });
    }
    const dashboard = await fetch(`${server.url}/no-such-page`, { headers: { accept: "text/html" } });
    expect(dashboard.status).toBe(404);
    expect(dashboard.headers.get("content-type")).toMatch(/text\/html/);
    const bad = parseRaw(await rawHttp(server.port, "GET /get_phase HTTP/1.1\r\nHost x\r\n\r\n"));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ detail: "Bad Request" });
    const huge = parseRaw(
      await rawHttp(server.port, `GET /get_phase HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`),
    );
    expect(huge.status).toBe(431);
    expect(JSON.parse(huge.body)).toEqual({ detail: "Request Header Fields Too Large" });
  });

  it("an invalid Range (last before first) is ignored: 200 with the whole file", async () => {
    const r = await fetch(`${server.url}/get-checkpoint?expert_group_id=0`, {
      headers: { ...AUTH, range: "bytes=5-2" },
    });
    expect(r.status).toBe(200);
    expect(Number(r.headers.get("content-length"))).toBe((await r.arrayBuffer()).byteLength);
  });
});

describe("12. walletNonce", () => {
  it("is rate-limited per client (429 past 10 a minute) and keeps at most 5 outstanding nonces per hotkey", async () => {
    const own = await startServer({ DEVNET_MINERS: "0" });
    try {
      const address = keyring.addFromUri("//NonceCollector").address;
      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push((await trpc(own.url, "system.walletNonce", { address })).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(statuses.slice(10)).toEqual([429, 429]);
      const rows = await nonceCount(own.databaseUrl, address);
      expect(rows).toBe(5);
    } finally {
      await own.stop();
    }
  });
});

async function nonceCount(databaseUrl: string, address: string): Promise<number> {
  const [row] = await queryDatabase<{ n: number | bigint }>(
    databaseUrl,
    Prisma.sql`SELECT count(*) AS n FROM "AuthNonce" WHERE "address" = ${address}`,
  );
  return Number(row.n);
}
