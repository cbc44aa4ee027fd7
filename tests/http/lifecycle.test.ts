import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, startServer } from "../support/server";

describe("start-up and shutdown", () => {
  it("refuses bad configuration with one clear line per problem", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "server/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        PHASE_SCHEDULE: "Distribute:5,Train:0",
        PORT: "99999",
        SUBTENSOR_URL: "http://x",
        // A module's own variable (the validator's), refused in the same list.
        EVALUATOR: "command",
      },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Invalid configuration");
    expect(r.stderr).toMatch(/PHASE_SCHEDULE: phase "Train" needs a positive whole length/);
    expect(r.stderr).toMatch(/PORT: /);
    expect(r.stderr).toMatch(/SUBTENSOR_URL: must be finney, test, local or a ws/);
    expect(r.stderr).toMatch(/EVALUATOR_CMD: EVALUATOR=command needs EVALUATOR_CMD/);
  });

  it("answers 400 Invalid block input while the chain head is unknown, and stays up", async () => {
    // A chain that never answers: nothing listens on port 9.
    const server = await startServer({ SUBTENSOR_URL: "ws://127.0.0.1:9" });
    try {
      for (const p of ["/get_phase", "/blocks_until_next_phase", "/previous_phase_blocks"]) {
        const r = await fetch(server.url + p);
        expect(r.status).toBe(400);
        expect(((await r.json()) as { detail: string }).detail).toMatch(/^Invalid block input/);
      }
      expect((await fetch(server.url + "/")).status).toBe(200);
      const metrics = await (await fetch(server.url + "/metrics")).text();
      expect(metrics).toMatch(/chain_connected 0/);
    } finally {
      await server.stop();
    }
  });

  it("switches modules off with ROLES: their routes answer 404", async () => {
    const server = await startServer({ ROLES: "validator" });
    try {
      const r = await fetch(server.url + "/get_phase");
      expect(r.status).toBe(404);
      expect(await r.json()).toEqual({ detail: "Not Found" });
      expect((await fetch(server.url + "/openapi.json")).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("continues the devnet chain's block count across a restart", async () => {
    const first = await startServer({ SIM_START_BLOCK: "1000", BLOCK_TIME_MS: "3600000" });
    await first.stop();
    const second = await startServer({
      SIM_START_BLOCK: "5",
      BLOCK_TIME_MS: "3600000",
      DATABASE_URL: first.databaseUrl,
    });
    try {
      const phase = (await (await fetch(second.url + "/get_phase")).json()) as { block: number };
      expect(phase.block).toBe(1000);
    } finally {
      await second.stop();
    }
  });

  it("serves HTTPS when TLS_CERT and TLS_KEY are set", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "console-tls-"));
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
      ],
      { stdio: "ignore" },
    );
    const server = await startServer(
      { TLS_CERT: cert, TLS_KEY: key, SIM_START_BLOCK: "54321", BLOCK_TIME_MS: "3600000" },
      "https",
    );
    try {
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get(`${server.url}/get_phase`, { rejectUnauthorized: false }, (res) => {
            let text = "";
            res.on("data", (d) => (text += d));
            res.on("end", () => resolve(text));
          })
          .on("error", reject);
      });
      expect(JSON.parse(body).block).toBe(54321);
    } finally {
      await server.stop();
    }
  });

  it("requires a client certificate signed by TLS_CLIENT_CA (mutual TLS, as SN27's API runs)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "console-mtls-"));
    const f = (n: string) => path.join(dir, n);
    const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
    const selfSigned = (name: string, cn: string) =>
      ssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        f(`${name}.key`),
        "-out",
        f(`${name}.pem`),
        "-days",
        "1",
        "-subj",
        `/CN=${cn}`,
      );
    selfSigned("server", "localhost");
    selfSigned("ca", "test-client-ca");
    selfSigned("stranger", "not-signed-by-the-ca");
    ssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      f("client.key"),
      "-out",
      f("client.csr"),
      "-subj",
      "/CN=client",
    );
    ssl(
      "x509",
      "-req",
      "-in",
      f("client.csr"),
      "-CA",
      f("ca.pem"),
      "-CAkey",
      f("ca.key"),
      "-CAcreateserial",
      "-out",
      f("client.pem"),
      "-days",
      "1",
    );
    const server = await startServer(
      {
        TLS_CERT: f("server.pem"),
        TLS_KEY: f("server.key"),
        TLS_CLIENT_CA: f("ca.pem"),
        DEVNET_MINERS: "0",
        SIM_START_BLOCK: "54321",
        BLOCK_TIME_MS: "3600000",
      },
      "https",
    );
    const get = (client?: string) =>
      new Promise<number>((resolve, reject) => {
        https
          .get(
            `${server.url}/get_phase`,
            {
              rejectUnauthorized: false,
              ...(client
                ? { cert: fs.readFileSync(f(`${client}.pem`)), key: fs.readFileSync(f(`${client}.key`)) }
                : {}),
            },
            (res) => (res.resume(), resolve(res.statusCode ?? 0)),
          )
          .on("error", reject);
      });
    try {
      expect(await get("client")).toBe(200);
      await expect(get()).rejects.toThrow();
      await expect(get("stranger")).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });

  it("shuts down on SIGTERM within a few seconds, finishing requests in flight", async () => {
    const server = await startServer();
    // One complete request first, so the route is loaded and the server is idle when the test begins.
    expect((await fetch(`${server.url}/submit`, { method: "POST" })).status).toBe(401);
    // A request the server is reading when SIGTERM arrives: headers now, the body a moment later.
    const body = JSON.stringify({ hotkey: "x" });
    const answered = new Promise<number>((resolve, reject) => {
      const req = http.request(
        `${server.url}/submit`,
        { method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length) } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 5));
      setTimeout(() => req.end(body.slice(5)), 900);
    });
    await new Promise((r) => setTimeout(r, 400));
    const started = Date.now();
    const stopped = server.stop("SIGTERM");
    expect(await answered).toBe(401); // answered in full (no token), not cut off
    expect(await stopped).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(server.output()).not.toMatch(/"level":50/);
  });
});
