import { describe, expect, it } from "vitest";
import fs from "node:fs";
import { CONFIG_KEYS, ConfigError, parseConfig } from "@/server/env";
import { computeConfig } from "@/server/compute/config";
import { MODULES } from "@/server/modules";
import { validatorConfig } from "@/server/validator/config";
import { retryDelayMs } from "@/server/jobs/queue";
import { axonIpToString } from "@/server/chain/subtensor-types";
import { RestDispatcher, wantsHtml } from "@/server/http/dispatch";
import { matchPath } from "@/server/rest/api-route";

describe("configuration", () => {
  it("works with nothing set", () => {
    const c = parseConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBe("file:./data/console.db");
    expect(c.databaseKind).toBe("sqlite");
    // The devnet runs and the console reads its chain (the start sets it): no chain URL of its own.
    expect(c.devnet).toBe(true);
    expect(c.SUBTENSOR_URL).toBeUndefined();
    expect(c.ROLES).toEqual(["owner", "validator", "search", "compute"]);
    expect(c.schedule.cycleLength).toBe(45);
    expect(c.BLOCK_TIME_MS).toBe(12000);
  });

  it("listens on loopback while the devnet (public dev keys) runs, and refuses a HOST beyond it", () => {
    expect(parseConfig({}).HOST).toBe("127.0.0.1");
    expect(parseConfig({ DEVNET: "0" }).HOST).toBe("0.0.0.0");
    expect(parseConfig({ SUBTENSOR_URL: "finney" }).HOST).toBe("0.0.0.0");
    expect(parseConfig({ DEVNET: "0", HOST: "0.0.0.0" }).HOST).toBe("0.0.0.0");
    expect(parseConfig({ HOST: "127.0.0.2" }).HOST).toBe("127.0.0.2");
    // The devnet's keys are public derivation paths: it never listens beyond loopback.
    expect(() => parseConfig({ HOST: "0.0.0.0" })).toThrow(
      /HOST: the devnet's validator and miners sign with public dev keys/,
    );
    expect(() => parseConfig({ DEVNET: "1", SUBTENSOR_URL: "finney", HOST: "10.0.0.5" })).toThrow(ConfigError);
  });

  it("puts weights on chain by default only on the devnet, and reads the drand network", () => {
    expect(parseConfig({}).SET_WEIGHTS).toBe(true);
    expect(parseConfig({ SET_WEIGHTS: "0" }).SET_WEIGHTS).toBe(false);
    expect(parseConfig({ SUBTENSOR_URL: "finney" }).SET_WEIGHTS).toBe(false);
    expect(() => parseConfig({ SUBTENSOR_URL: "finney", SET_WEIGHTS: "1" })).toThrow(/needs VALIDATOR_HOTKEY_SEED/);
    expect(parseConfig({}).DRAND_PUBLIC_KEY).toMatch(/^83cf0f2896ad/);
    expect(() => parseConfig({ DRAND_PUBLIC_KEY: "abcd" })).toThrow(/DRAND_PUBLIC_KEY: a compressed G2 point/);
  });

  it("resolves chain aliases and database kinds", () => {
    expect(parseConfig({ SUBTENSOR_URL: "finney" }).SUBTENSOR_URL).toBe("wss://entrypoint-finney.opentensor.ai:443");
    expect(parseConfig({ SUBTENSOR_URL: "test" }).SUBTENSOR_URL).toBe("wss://test.finney.opentensor.ai:443");
    // Without the devnet the console reads finney unless told otherwise.
    expect(parseConfig({ DEVNET: "0" }).SUBTENSOR_URL).toBe("wss://entrypoint-finney.opentensor.ai:443");
    expect(parseConfig({ DEVNET: "0", SUBTENSOR_URL: "local" }).SUBTENSOR_URL).toBe("ws://127.0.0.1:9944");
    expect(parseConfig({ DATABASE_URL: "postgresql://u:p@h/db" }).databaseKind).toBe("postgres");
    expect(parseConfig({ ROLES: "owner, search" }).ROLES).toEqual(["owner", "search"]);
    expect(parseConfig({ PORT: "" }).PORT).toBe(3000);
  });

  it("gives each role its subnet, NETUID by default, and keeps one metagraph per subnet in use", () => {
    const c = parseConfig({ NETUID: "5", SEARCH_NETUID: "22", COMPUTE_NETUID: "27", ROLES: "owner,validator,search" });
    expect(c.netuids).toEqual({ owner: 5, validator: 5, search: 22, compute: 27 });
    expect(c.netuidsInUse).toEqual([5, 22]);
    // On the devnet each role has a subnet of its own by default; on a real chain they follow NETUID.
    expect(parseConfig({}).netuids).toEqual({ owner: 1, validator: 1, search: 22, compute: 27 });
    expect(parseConfig({ DEVNET: "0" }).netuidsInUse).toEqual([1]);
    expect(parseConfig({ SUBTENSOR_URL: "finney", NETUID: "9" }).netuidsInUse).toEqual([9]);
  });

  it("reads DEVNET_MINER_AXONS as [role:]hotkey@host:port and names a bad entry", () => {
    const hk = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    expect(
      parseConfig({ DEVNET_MINER_AXONS: `search:${hk}@127.0.0.1:8091, ${hk}@[::1]:9000` }).DEVNET_MINER_AXONS,
    ).toEqual([
      { role: "search", hotkey: hk, host: "127.0.0.1", port: 8091 },
      { role: null, hotkey: hk, host: "::1", port: 9000 },
    ]);
    for (const bad of [`${hk}@host`, `miner:${hk}@h:1`, `${hk}@h:70000`, "x@h:1"])
      expect(() => parseConfig({ DEVNET_MINER_AXONS: bad }), bad).toThrow(
        /DEVNET_MINER_AXONS: .* is not \[role:\]<ss58 hotkey>@<host>:<port>/,
      );
  });

  it("names every bad value", () => {
    let error: unknown;
    try {
      parseConfig({
        PORT: "http",
        ROLES: "owner,miner",
        DATABASE_URL: "mysql://x",
        PHASE_SCHEDULE: "A:1,A:2",
        TLS_CERT: "/c.pem",
        ADMIN_PASSWORD: "short",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    for (const name of ["PORT", "ROLES", "DATABASE_URL", "PHASE_SCHEDULE", "ADMIN_PASSWORD"])
      expect(text).toContain(`${name}`);
    expect(text).toContain('"A" appears twice');
  });

  it("documents every variable in .env.example", () => {
    const example = fs.readFileSync(".env.example", "utf8");
    const moduleKeys = MODULES.flatMap((m) => ("config" in m && m.config ? m.config.keys : []));
    expect(moduleKeys).toContain("POG_CONCURRENCY");
    for (const key of [...CONFIG_KEYS.filter((k) => k !== "NODE_ENV"), ...moduleKeys])
      expect(example, key).toMatch(new RegExp(`^# ${key}=`, "m"));
  });

  it("keeps a module's own variables in its folder, refused in the same words", () => {
    // The base configuration does not know them.
    expect(CONFIG_KEYS).not.toContain("EVALUATOR");
    expect(validatorConfig.parse({}).EVALUATOR).toBe("builtin");
    expect(() => validatorConfig.parse({ EVALUATOR: "command" })).toThrow(
      "Invalid configuration:\n  EVALUATOR_CMD: EVALUATOR=command needs EVALUATOR_CMD",
    );
    expect(() => computeConfig.parse({ STATUS_NOTIFY_URL: "https://hooks.example/s", POG_CONCURRENCY: "0" })).toThrow(
      /POG_CONCURRENCY: .*\n {2}WEBHOOKS_SECRET: DEALLOCATION_NOTIFY_URL and STATUS_NOTIFY_URL need WEBHOOKS_SECRET/,
    );
    expect(computeConfig.parse({ POG_CONCURRENCY: "4", ALLOCATE_UNVERIFIED: "1" })).toMatchObject({
      POG_CONCURRENCY: 4,
      ALLOCATE_UNVERIFIED: true,
      COMPUTE_SPECS_S: 600,
    });
  });

  it("requires TLS_CERT and TLS_KEY together", () => {
    expect(() => parseConfig({ TLS_KEY: "/k.pem" })).toThrow("TLS_CERT and TLS_KEY go together");
  });
});

describe("jobs", () => {
  it("back off exponentially up to 10 minutes", () => {
    expect([1, 2, 3, 10, 30].map(retryDelayMs)).toEqual([2000, 4000, 8000, 600_000, 600_000]);
  });
});

describe("axon addresses", () => {
  it("turns u128 integers into IPv4 and IPv6 text", () => {
    expect(axonIpToString(0n, 4)).toBeNull();
    expect(axonIpToString(3232235777n, 4)).toBe("192.168.1.1");
    expect(axonIpToString(1n, 6)).toBe("0:0:0:0:0:0:0:1");
  });
});

describe("REST dispatch", () => {
  const route = (method: string, path: string) =>
    Object.assign(async () => new Response(), { def: { method, path }, serve: async () => new Response() }) as never;
  const a = route("GET", "/get_phase");
  const b = route("GET", "/twitter/{id}");
  const d = new RestDispatcher([a, b]);
  it("finds exact and templated paths by method", () => {
    expect(d.find("GET", "/get_phase")).toBe(a);
    expect(d.find("HEAD", "/get_phase")).toBe(a);
    expect(d.find("POST", "/get_phase")).toBeUndefined();
    expect(d.find("GET", "/twitter/123")).toBe(b);
    expect(d.find("GET", "/twitter/123/x")).toBeUndefined();
    expect(d.find("GET", "/phases")).toBeUndefined();
  });
  it("matches path parameters", () => {
    expect(matchPath("/twitter/{id}", "/twitter/a%20b")).toEqual({ id: "a b" });
    expect(matchPath("/public/miners/{hotkey}", "/public/miners")).toBeNull();
    // A malformed escape is the client's error (400), and finding the route never decodes.
    expect(() => matchPath("/twitter/{id}", "/twitter/%E0%A4%A")).toThrow(expect.objectContaining({ status: 400 }));
    expect(d.find("GET", "/twitter/%E0%A4%A")).toBe(b);
  });
  it("tells browsers from API clients", () => {
    expect(wantsHtml("text/html,application/xhtml+xml,*/*")).toBe(true);
    expect(wantsHtml("application/json")).toBe(false);
    expect(wantsHtml("*/*")).toBe(false);
    expect(wantsHtml(undefined)).toBe(false);
  });
});
