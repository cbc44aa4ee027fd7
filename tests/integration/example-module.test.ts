/**
 * A new module is its folder and one line in server/modules.ts: this tiny one (what `server/hello/` would hold)
 * declares a REST route, a tRPC procedure, a recurring job, its own variable and its API paragraph, and the
 * runtime composes it as it composes the product's modules: nothing shared is edited for it.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { composeRuntime } from "@/server/compose";
import { config, ConfigError, int, moduleConfig } from "@/server/env";
import { jobs, scheduleRecurringJobs } from "@/server/jobs";
import { defineJob, defineModule } from "@/server/module";
import { checkConfig, enabledModules, MODULES } from "@/server/modules";
import { apiRoute } from "@/server/rest/api-route";
import { openApiFor } from "@/server/system/routes";
import { router, viewerProcedure } from "@/server/trpc/init";
import { inProcessRuntime } from "../support/in-process";

// server/hello/config.ts
const helloConfig = moduleConfig(z.object({ HELLO_EVERY_S: int(60, 1, 3600) }));

// server/hello/service.ts
const greeting = (name: string) => ({ greeting: `Hello, ${name}` });
const ticks: number[] = [];

// server/hello/api.ts
const helloRoute = apiRoute({
  module: "owner",
  format: "fastapi",
  method: "GET",
  path: "/hello",
  tags: ["Hello"],
  summary: "A greeting",
  query: z.object({ name: z.string().min(1).max(40) }),
  response: { description: "The greeting", schema: z.object({ greeting: z.string() }) },
  handler: ({ query }) => greeting(query.name),
});

// server/hello/index.ts: the face and the manifest.
const helloModule = defineModule({
  name: "hello",
  role: "owner",
  title: "Hello",
  config: helloConfig,
  docs: "Hello: greets by name.",
  routes: [helloRoute],
  router: router({
    greeting: viewerProcedure.input(z.object({ name: z.string() })).query(({ input }) => greeting(input.name)),
  }),
  jobs: [
    defineJob({
      kind: "hello.tick",
      payload: z.object({}),
      everyMs: () => helloConfig().HELLO_EVERY_S * 1000,
      firstRunAfterMs: () => 5000,
      run: async () => void ticks.push(Date.now()),
    }),
    defineJob({
      kind: "hello.off",
      payload: z.object({}),
      everyMs: () => 1000,
      enabled: () => false,
      run: async () => undefined,
    }),
  ],
  nav: [{ href: "/hello", label: "Hello" }],
});

const rt = inProcessRuntime({ ROLES: "owner" });

describe("a module added beside the product's", () => {
  it("is composed from its manifest: REST route, tRPC, menu, jobs, OpenAPI and configuration", async () => {
    const modules = [...enabledModules(), helloModule];
    const { runtime, jobList } = composeRuntime(config(), "s".repeat(32), modules);

    // Its REST route, with its query schema checked in the module's error format.
    const ok = await runtime.serveRest(new Request("http://localhost/hello?name=Ada"));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ greeting: "Hello, Ada" });
    const bad = await runtime.serveRest(new Request(`http://localhost/hello?name=${"x".repeat(41)}`));
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { detail: Array<{ loc: string[] }> }).detail[0].loc).toContain("name");
    expect((await runtime.serveRest(new Request("http://localhost/hello", { method: "POST" }))).status).toBe(405);

    // Its tRPC procedures under its name, behind the same auth as every viewer procedure.
    const viewer = { id: "admin:admin", name: "admin", role: "admin" as const, via: "password" as const };
    const caller = runtime.caller(viewer) as unknown as { hello: { greeting(i: { name: string }): Promise<unknown> } };
    expect(await caller.hello.greeting({ name: "Bo" })).toEqual({ greeting: "Hello, Bo" });
    const anonymous = runtime.caller(null) as unknown as typeof caller;
    await expect(anonymous.hello.greeting({ name: "Bo" })).rejects.toThrow(/Sign in/);

    // Its page in the menu, after the enabled modules' and before Settings.
    expect(runtime.navigation.map((n) => n.label).slice(-2)).toEqual(["Hello", "Settings"]);

    // Its recurring job gets its one row (first run after firstRunAfterMs); a job that is off gets none.
    const before = Date.now();
    const own = jobList.filter((j) => j.kind.startsWith("hello."));
    await scheduleRecurringJobs(own);
    await scheduleRecurringJobs(own); // a second start (or instance) adds nothing
    const rows = await rt.db.job.findMany({ where: { kind: { startsWith: "hello." } } });
    expect(rows.map((r) => r.kind)).toEqual(["hello.tick"]);
    expect(rows[0].runAt.getTime()).toBeGreaterThanOrEqual(before + 5000);
    // The network part's jobs are composed too, whatever modules are on.
    expect(jobList.map((j) => j.kind)).toEqual(
      expect.arrayContaining(["chain.metagraph.refresh", "network.ping", "hello.tick"]),
    );
    await jobs().runNow(["hello.tick"]);
    jobs().start();
    try {
      for (let i = 0; i < 100 && ticks.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    } finally {
      await jobs().stop();
    }
    expect(ticks.length).toBe(1);

    // Its paragraph and path in the API description.
    const doc = openApiFor(modules) as { info: { description: string }; paths: Record<string, unknown> };
    expect(doc.paths["/hello"]).toBeDefined();
    expect(doc.info.description).toContain("Hello: greets by name.");
    expect(openApiFor(enabledModules()).paths["/hello"]).toBeUndefined();

    // Its own variable, refused at start in the same list as the base configuration's.
    process.env.HELLO_EVERY_S = "0";
    try {
      expect(() => checkConfig([...MODULES, helloModule])).toThrow(ConfigError);
      expect(() => checkConfig([...MODULES, helloModule])).toThrow(/HELLO_EVERY_S: /);
      expect(() => checkConfig(MODULES)).not.toThrow();
    } finally {
      delete process.env.HELLO_EVERY_S;
    }
  });
});
