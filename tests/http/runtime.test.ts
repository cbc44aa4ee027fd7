import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, signIn, startServer, trpc, type RunningServer } from "../support/server";

let server: RunningServer;
let admin: string;

beforeAll(async () => {
  server = await startServer({ DEVNET_MINERS: "0", LOG_LEVEL: "info" });
  admin = (await signIn(server.url, "admin", "test-admin-password"))!;
  expect(admin).toBeTruthy();
});

afterAll(async () => {
  await server?.stop();
});

const page = (url: string, cookie: string) =>
  fetch(url, { headers: { accept: "text/html", cookie }, redirect: "manual" });

async function graphLoads(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = /^server_module_graph_loads (\d+)$/m.exec(text);
  expect(m, "server_module_graph_loads in /metrics").not.toBeNull();
  return Number(m![1]);
}

async function outputOnceContains(server: RunningServer, text: string): Promise<string> {
  for (let i = 0; i < 100 && !server.output().includes(text); i++) await new Promise((r) => setTimeout(r, 100));
  return server.output();
}

describe("one runtime per process", () => {
  it("evaluates the server's modules once, whether a REST route, a tRPC call or a page is served", async () => {
    expect((await fetch(`${server.url}/get_phase`)).status).toBe(200);
    expect((await trpc(server.url, "system.overview", undefined, admin, "query")).status).toBe(200);
    for (const p of ["/", "/phases", "/models", "/settings"]) {
      const r = await page(server.url + p, admin);
      expect(r.status, p).toBe(200);
      expect(await r.text(), p).toContain("Subnet Console");
    }
    expect(await graphLoads(server.url)).toBe(1);
  });

  it("loads @polkadot once: no 'multiple versions' warning at start", async () => {
    expect(await outputOnceContains(server, "Subnet Console is listening")).toContain("Subnet Console is listening");
    expect(server.output()).not.toMatch(/multiple versions/i);
  });

  it("sends no server code to the browser: no @polkadot package in any client chunk", () => {
    const dir = path.join(ROOT, ".next/static/chunks");
    const files = fs
      .readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".js"));
    expect(files.length).toBeGreaterThan(0);
    const withServerCode = files.filter((f) =>
      /@polkadot\/|@prisma\/|better-sqlite3/.test(fs.readFileSync(path.join(dir, f), "utf8")),
    );
    expect(withServerCode).toEqual([]);
  });
});

describe("a module switched off by ROLES is absent everywhere", () => {
  it("its REST routes, tRPC procedures, pages and menu entries are gone; the others stay", async () => {
    const owner = await startServer({ ROLES: "owner", DEVNET_MINERS: "0" });
    try {
      const cookie = (await signIn(owner.url, "admin", "test-admin-password"))!;
      const health = await fetch(`${owner.url}/health`);
      expect(health.status).toBe(404);
      expect(await health.json()).toEqual({ detail: "Not Found" });
      const proc = await trpc(owner.url, "validator.models", undefined, cookie, "query");
      expect(proc.status).toBe(404);
      expect(proc.body.error?.json.data.code).toBe("NOT_FOUND");
      for (const p of ["/models", "/submissions", "/miners"])
        expect((await page(owner.url + p, cookie)).status, p).toBe(404);
      const home = await (await page(owner.url + "/", cookie)).text();
      expect(home).toContain('href="/phases"');
      expect(home).not.toContain('href="/models"');
      const overview = await trpc(owner.url, "system.overview", undefined, cookie, "query");
      const modules = (overview.body.result?.data.json as { modules: Array<{ role: string; enabled: boolean }> })
        .modules;
      expect(modules.find((m) => m.role === "validator")).toMatchObject({ enabled: false });
      expect(modules.find((m) => m.role === "owner")).toMatchObject({ enabled: true });
      const doc = (await (await fetch(`${owner.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toContain("/get_phase");
      expect(Object.keys(doc.paths)).not.toContain("/health");
      expect(await graphLoads(owner.url)).toBe(1);
    } finally {
      await owner.stop();
    }
  });
});

describe("first run", () => {
  it("says where it runs, the admin user and the generated password once; later starts say how to reset it", async () => {
    const first = await startServer({ ADMIN_PASSWORD: "", DEVNET_MINERS: "0" });
    let databaseUrl: string;
    try {
      databaseUrl = first.databaseUrl;
      const banner = await outputOnceContains(first, "Miner token");
      expect(banner).toContain(`Subnet Console is running at http://localhost:${first.port}`);
      const password = /Admin sign-in: user "admin", password "([^"]+)" \(generated and shown once/.exec(banner)?.[1];
      expect(password).toBeTruthy();
      expect(banner).toContain("Miner token: on the Settings page (admins), or set BZ_AUTH_TOKEN");
      expect(banner).toContain(
        "Compute marketplace API: off (403) until it has a key: create one on the Settings page, or set COMPUTE_API_KEY",
      );
      expect(await signIn(first.url, "admin", password!)).toBeTruthy();
    } finally {
      await first.stop();
    }
    const again = await startServer({ ADMIN_PASSWORD: "", DEVNET_MINERS: "0", DATABASE_URL: databaseUrl });
    try {
      const later = await outputOnceContains(again, "Miner token");
      expect(later).toContain("the password printed on the first start (lost it? set ADMIN_PASSWORD and restart)");
      expect(later).not.toMatch(/password "[^"]+" \(generated/);
    } finally {
      await again.stop();
    }
  });
});
