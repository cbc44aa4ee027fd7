/**
 * The REST surfaces that are off until they have a key: an admin creates, rotates and revokes the compute
 * marketplace's and organic search's keys on Settings; an environment variable wins.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/server/db";
import { queryDatabase } from "../support/db";
import { signIn, startServer, trpc, type RunningServer } from "../support/server";

const light = { ROLES: "owner,compute,search", DEVNET_MINERS: "0", DEVNET_COMPUTE_MINERS: "0" };

describe("API keys made on Settings", () => {
  let server: RunningServer;
  let admin: string;

  beforeAll(async () => {
    server = await startServer(light);
    admin = (await signIn(server.url, "admin", "test-admin-password"))!;
  });
  afterAll(() => server?.stop());

  const gpus = (key?: string) =>
    fetch(`${server.url}/list/count_all_gpus`, {
      method: "POST",
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });

  it("starts off: 403 saying how to turn it on, and Overview says so", async () => {
    const res = await gpus("anything");
    expect(res.status).toBe(403);
    expect(JSON.stringify(await res.json())).toContain("create its key on Settings, or set COMPUTE_API_KEY");
    const overview = await trpc(server.url, "system.overview", undefined, admin, "query");
    const modules = (overview.body.result!.data.json as { modules: Array<{ role: string; restKey: unknown }> }).modules;
    expect(modules.find((m) => m.role === "compute")?.restKey).toEqual({
      name: "compute",
      env: "COMPUTE_API_KEY",
      on: false,
    });
    expect(modules.find((m) => m.role === "owner")?.restKey).toBeNull();
  });

  it("only admins manage keys", async () => {
    const anonymous = await trpc(server.url, "system.rotateApiKey", { name: "compute" });
    expect(anonymous.status).toBe(401);
    const list = await trpc(server.url, "system.apiKeys", undefined, undefined, "query");
    expect(list.status).toBe(401);
    const bad = await trpc(server.url, "system.rotateApiKey", { name: "owner" }, admin);
    expect(bad.status).toBe(400);
    await expect(gpus("anything")).resolves.toHaveProperty("status", 403);
  });

  it("creates a key shown once and sealed at rest; rotating retires the old one; revoking turns the API off", async () => {
    const created = await trpc(server.url, "system.rotateApiKey", { name: "compute" }, admin);
    expect(created.status).toBe(200);
    const { key } = created.body.result!.data.json as { key: string };
    expect(key).toMatch(/^sc_compute_[A-Za-z0-9_-]{32}$/);
    const ok = await gpus(key);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toHaveProperty("count");
    expect((await gpus("sc_compute_wrong")).status).toBe(401);

    // Listed by where it comes from and its last four characters, never in full; stored sealed.
    const list = await trpc(server.url, "system.apiKeys", undefined, admin, "query");
    const compute = (list.body.result!.data.json as Array<{ name: string; source: string; hint: string }>).find(
      (k) => k.name === "compute",
    );
    expect(compute).toMatchObject({ source: "settings", hint: key.slice(-4) });
    expect(JSON.stringify(list.body)).not.toContain(key);
    const [row] = await queryDatabase<{ value: string }>(
      server.databaseUrl,
      Prisma.sql`SELECT "value" FROM "Setting" WHERE "key" = 'apiKey.compute'`,
    );
    expect(row!.value).not.toContain(key.slice("sc_compute_".length));

    const rotated = await trpc(server.url, "system.rotateApiKey", { name: "compute" }, admin);
    const next = (rotated.body.result!.data.json as { key: string }).key;
    expect(next).not.toBe(key);
    expect((await gpus(key)).status).toBe(401);
    expect((await gpus(next)).status).toBe(200);

    expect((await trpc(server.url, "system.revokeApiKey", { name: "compute" }, admin)).status).toBe(200);
    expect((await gpus(next)).status).toBe(403);
  });

  it("search's access key works the same way", async () => {
    const search = (key?: string) =>
      fetch(`${server.url}/web/search?query=bittensor&num=5`, { headers: key ? { "access-key": key } : {} });
    expect((await search("x")).status).toBe(403);
    const created = await trpc(server.url, "system.rotateApiKey", { name: "search" }, admin);
    const { key } = created.body.result!.data.json as { key: string };
    expect(key).toMatch(/^sc_search_/);
    expect((await search("x")).status).toBe(401);
    // Past the key: no search miner serves here, which is the API's own answer, not the key's.
    expect([401, 403]).not.toContain((await search(key)).status);
    // Collected results with no miner to ask: 503 as documented, in FastAPI's shape.
    const collected = await fetch(`${server.url}/search`, {
      method: "POST",
      headers: { "access-key": key, "content-type": "application/json" },
      body: JSON.stringify({
        prompt: "fast glob matcher",
        tools: ["Web Search"],
        count: 10,
        result_type: "ONLY_LINKS",
      }),
    });
    expect(collected.status).toBe(503);
    expect(await collected.json()).toEqual({ detail: "No search miner is available" });
  });
});

describe("a key set in the environment", () => {
  it("wins: Settings names it and refuses to replace or revoke it", async () => {
    const server = await startServer({ ...light, COMPUTE_API_KEY: "Env!Compute#Key1" });
    try {
      const admin = (await signIn(server.url, "admin", "test-admin-password"))!;
      const list = await trpc(server.url, "system.apiKeys", undefined, admin, "query");
      expect(list.body.result!.data.json).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: "compute", source: "environment", env: "COMPUTE_API_KEY" }),
          expect.objectContaining({ name: "search", source: "off" }),
        ]),
      );
      for (const proc of ["system.rotateApiKey", "system.revokeApiKey"]) {
        const refused = await trpc(server.url, proc, { name: "compute" }, admin);
        expect(refused.status).toBe(409);
        expect(refused.body.error!.json.message).toContain("comes from COMPUTE_API_KEY");
      }
    } finally {
      await server.stop();
    }
  });
});
