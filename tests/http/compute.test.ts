/**
 * The compute marketplace's inventory routes against the devnet's compute miners (real axons reporting
 * Specs over the wire): auth, envelopes, upstream's units, filters, paging, stats, counts.
 */
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/server/db";
import { queryDatabase } from "../support/db";
import { signIn, startServer, trpc, type RunningServer } from "../support/server";
import { ed25519KeyPair } from "@/server/devnet/ssh-box";
import { sshRun } from "../support/ssh";

const KEY = "compute-test-key-0123456789";
const ADMIN_KEY = "compute-admin-key-0123456789";
let server: RunningServer;

async function post(
  path: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: `Bearer ${KEY}` },
) {
  const res = await fetch(server.url + path, {
    method: "POST",
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

beforeAll(async () => {
  server = await startServer({
    COMPUTE_API_KEY: KEY,
    COMPUTE_ADMIN_KEY: ADMIN_KEY,
    COMPUTE_NETUID: "27",
    DEVNET_MINERS: "1",
    // Upstream's marketplace: any machine that reports specs is rented (the default, verified machines only,
    // is the last describe's).
    ALLOCATE_UNVERIFIED: "1",
  });
  // The inventory job runs at start: wait until the eight devnet machines have reported (18 GPUs).
  for (let i = 0; i < 150; i++) {
    const r = await post("/list/count_all_gpus");
    if (r.status === 200 && r.body.count === 8 + 4 + 2 + 1 + 1 + 0 + 1 + 1) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("the devnet's compute machines did not report within 30 s");
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

describe("compute inventory routes", () => {
  it("need the API key: 401 without or wrong (Bearer or X-API-Key), in the sn27 envelope", async () => {
    const none = await post("/list/count_all_gpus", undefined, {});
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ success: false, message: "Missing or invalid API key" });
    expect((await post("/list/count_all_gpus", undefined, { "x-api-key": "wrong" })).status).toBe(401);
    expect((await post("/list/count_all_gpus", undefined, { "x-api-key": KEY })).status).toBe(200);
  });

  it("/list/resources_sql lists machines with GPUs in upstream's units, lower-case names, available", async () => {
    const r = await post("/list/resources_sql");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, message: "List resources successfully" });
    const items = r.body.data.page_items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(7); // eight machines, one without a GPU
    expect(r.body.data).toMatchObject({ page_number: 1, page_size: 7, next_page_number: null });
    expect(items.find((i) => i.gpu_count === 8)).toMatchObject({
      gpu_name: "nvidia h100 80gb hbm3",
      gpu_capacity: 637.18,
      cpu_count: 192,
      ram: 1843.2,
      hard_disk: 24000,
      allocate_status: "available",
    });
  });

  it("filters by the query body, pages with query parameters, and counts with stats", async () => {
    const h100 = await post("/list/resources_sql", { gpu_name: "H100" });
    expect((h100.body.data.page_items as unknown[]).length).toBe(2); // the 8x H100 and the one that claims one
    const big = await post("/list/resources_sql", { gpu_capacity_min: 300, ram_total_min: 900 });
    expect((big.body.data.page_items as Array<{ gpu_count: number }>).map((i) => i.gpu_count).sort()).toEqual([4, 8]);
    const page1 = await post("/list/resources_sql?page_size=3&page_number=1");
    expect(page1.body.data).toMatchObject({ page_number: 1, page_size: 3, next_page_number: 2 });
    const page3 = await post("/list/resources_sql?page_size=3&page_number=3");
    expect(page3.body.data).toMatchObject({ page_number: 3, next_page_number: null });
    expect(page3.body.data.page_items).toHaveLength(1);
    const stats = await post("/list/resources_sql?stats=true", { gpu_name: "rtx" });
    expect(stats.body.data).toEqual({ stats: { available: 3, reserved: 0, total: 3 } });
  });

  it("/list/count_all_by_model counts machines of exactly that model, by CPUs or installed RAM", async () => {
    expect((await post("/list/count_all_by_model?model=NVIDIA%20H100%2080GB%20HBM3")).body).toEqual({ count: 2 });
    expect((await post("/list/count_all_by_model?model=nvidia%20h100%2080gb%20hbm3&cpu_count=192")).body).toEqual({
      count: 1,
    });
    expect((await post("/list/count_all_by_model?model=NVIDIA%20GeForce%20RTX%204090&ram_size=128")).body).toEqual({
      count: 1,
    });
    expect((await post("/list/count_all_by_model?model=H100")).body).toEqual({ count: 0 });
  });

  it("refuses bad input with 422 and the failing fields, in the sn27 envelope", async () => {
    const q = await post("/list/resources_sql?page_size=0");
    expect(q.status).toBe(422);
    expect(q.body.success).toBe(false);
    expect((q.body.err_detail as Array<{ field: string }>).map((d) => d.field)).toEqual(["query.page_size"]);
    const b = await post("/list/resources_sql", { gpu_capacity_min: "lots" });
    expect(b.status).toBe(422);
    expect((b.body.err_detail as Array<{ field: string }>).map((d) => d.field)).toEqual(["body.gpu_capacity_min"]);
    expect((await post("/list/count_all_by_model")).status).toBe(422);
  });

  it("the GPU inventory page's data lists every compute miner with its state", async () => {
    const admin = (await signIn(server.url, "admin", "test-admin-password"))!;
    const r = await trpc(server.url, "compute.inventory", undefined, admin, "query");
    const data = r.body.result!.data.json as {
      netuid: number;
      miners: Array<{ state: string }>;
      byModel: Array<{ model: string; gpus: number }>;
    };
    expect(data.netuid).toBe(27);
    expect(data.miners.filter((m) => m.state === "reported")).toHaveLength(8);
    expect(data.byModel[0]).toEqual({ model: "nvidia h100 80gb hbm3", gpus: 9, reserved: 0, machines: 2 });
  });
});

describe("compute allocation routes", () => {
  const SERVICE = [
    "/service/allocate_spec",
    "/service/allocate_hotkey",
    "/service/deallocate",
    "/service/check_miner_status",
    "/service/restart_docker",
    "/service/pause_docker",
    "/service/unpause_docker",
    "/service/exchange_docker_key",
    "/list/allocations_sql",
    "/list/resources_wandb",
    "/list/all_runs",
  ];

  it("every route needs the API key (401 in the sn27 envelope)", async () => {
    for (const path of SERVICE) {
      const r = await post(path, undefined, { authorization: "Bearer wrong" });
      expect([path, r.status, r.body.success]).toEqual([path, 401, false]);
    }
  });

  it("allocates by spec with credentials that log in over SSH, and the rental runs its lifecycle", async () => {
    const none = await post("/list/allocations_sql");
    expect(none).toMatchObject({ status: 404, body: { success: false, message: "No resources found." } });

    // Upstream's placement: both models embedded in the body; a bare DeviceRequirement is a 422.
    const bare = await post("/service/allocate_spec", { gpu_type: "4090", gpu_size: 40 });
    expect(bare.status).toBe(422);
    expect(bare.body.err_detail).toContainEqual({ field: "body.requirements", message: expect.any(String) });
    const impossible = await post("/service/allocate_spec", { requirements: { gpu_type: "b200", gpu_size: 100 } });
    expect(impossible).toMatchObject({
      status: 404,
      body: {
        success: false,
        message: "Fail to allocate resource",
        err_detail: 'No machine meets the spec: a GPU whose name contains "b200" rules out 8 of 8 machines.',
      },
    });

    const r = await post("/service/allocate_spec", {
      requirements: { gpu_type: "4090", gpu_size: 40, ram: 64, timeline: 2 },
      docker_requirement: { ssh_key: "" },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, message: "Resource was successfully allocated" });
    const a = r.body.data;
    expect(a).toMatchObject({
      resource: "nvidia geforce rtx 4090",
      ssh_username: "root",
      ssh_ip: "127.0.0.1",
      state: "active",
    });
    expect(a.ssh_command).toBe(`ssh root@127.0.0.1 -p ${a.ssh_port}`);
    expect(await sshRun(a.ssh_port, { password: a.ssh_password }, "nvidia-smi --query-gpu=name,memory.total")).toBe(
      "NVIDIA GeForce RTX 4090, 24564 MiB\nNVIDIA GeForce RTX 4090, 24564 MiB\n",
    );
    // The password never reaches the log.
    expect(server.output()).not.toContain(a.ssh_password);

    // Listed without the password and with a prefix of the uuid (another holder of the API key cannot act on
    // it); with include_secrets and the whole uuid only to the admin key.
    const listed = await post("/list/allocations_sql");
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).toMatchObject({
      uuid_key: `${a.uuid_key.slice(0, 8)}…`,
      hotkey: a.hotkey,
      ssh_password: "",
    });
    const byAdmin = await post("/list/allocations_sql", undefined, { "x-api-key": ADMIN_KEY });
    expect(byAdmin.body.data[0]).toMatchObject({ uuid_key: a.uuid_key, ssh_password: "" });
    const refused = await post("/list/allocations_sql?include_secrets=true");
    expect(refused).toMatchObject({ status: 403, body: { success: false } });
    const secrets = await post("/list/allocations_sql?include_secrets=true", undefined, { "x-api-key": ADMIN_KEY });
    expect(secrets.body.data[0].ssh_password).toBe(a.ssh_password);

    // The inventory shows it reserved.
    const stats = await post("/list/resources_sql?stats=true");
    expect(stats.body.data.stats).toEqual({ reserved: 1, available: 6, total: 7 }); // machines with GPUs;
    const page = await post("/list/resources_sql", { gpu_name: "4090" });
    expect(page.body.data.page_items[0].allocate_status).toBe("reserved");
    // resources_wandb (upstream's rules): verified machines only (no Proof of GPU has run here yet), rented ones
    // left off the pages.
    const wandb = await post("/list/resources_wandb");
    expect(wandb.status).toBe(200);
    expect(wandb.body.data.page_items).toEqual([]);
    expect((await post("/list/resources_wandb?stats=true")).body.data.stats).toEqual({
      available: 0,
      reserved: 0,
      total: 0,
    });
    // all_runs: upstream's {index: run} items, one per machine that reported, filtered by hotkey, paged.
    const runs = await post("/list/all_runs?page_size=3&page_number=1");
    expect(runs.body).toMatchObject({ success: true, message: "List run resources successfully." });
    expect(runs.body.data).toMatchObject({ page_number: 1, page_size: 3, next_page_number: 2 });
    expect(Object.keys(runs.body.data.page_items[0])).toEqual(["1"]);
    const one = await post(`/list/all_runs?hotkey=${a.hotkey}`);
    expect(one.body.data.page_items).toHaveLength(1);
    expect(one.body.data.page_items[0]["1"]).toMatchObject({
      name: `miner-${a.hotkey}`,
      state: "running",
      configs: { hotkey: a.hotkey, specs: { gpu: { count: 2 } } },
    });
    expect((await post("/list/all_runs?hotkey=5Nobody")).body).toEqual({
      success: true,
      message: "No runs available",
      data: {},
    });

    // The same miner by hotkey: busy (404); an empty hotkey is 400; a missing one 422.
    const busy = await post(`/service/allocate_hotkey?hotkey=${a.hotkey}`);
    expect(busy).toMatchObject({ status: 404, body: { success: false, message: "Fail to allocate resource" } });
    expect((await post("/service/allocate_hotkey?hotkey=")).status).toBe(400);
    expect((await post("/service/allocate_hotkey")).status).toBe(422);

    const status = await post("/service/check_miner_status", [a.hotkey, "5NotOnTheSubnet"]);
    expect(status.body).toEqual({
      success: true,
      message: "List hotkey status successfully.",
      data: [
        { hotkey: a.hotkey, status: "Docker ONLINE" },
        { hotkey: "5NotOnTheSubnet", status: "Not Found" },
      ],
    });
    expect((await post("/service/check_miner_status", { hotkey_list: [a.hotkey] })).status).toBe(422);

    const q = (path: string, extra = "") => `${path}?hotkey=${a.hotkey}&uuid_key=${a.uuid_key}${extra}`;
    const wrong = await post(`/service/pause_docker?hotkey=${a.hotkey}&uuid_key=00000000-0000-4000-8000-000000000000`);
    expect(wrong.body).toEqual({
      success: false,
      message: "Pause not successfully, please try again.",
      err_detail: "Invalid UUID key",
    });
    expect(wrong.status).toBe(400);
    expect(await post(q("/service/pause_docker"))).toMatchObject({
      status: 200,
      body: { message: "Resource paused successfully." },
    });
    await expect(sshRun(a.ssh_port, { password: a.ssh_password }, "whoami")).rejects.toThrow();
    expect((await post(q("/service/unpause_docker"))).status).toBe(200);
    expect((await post(q("/service/restart_docker"))).body.message).toBe("Resource restarted successfully.");
    expect(await sshRun(a.ssh_port, { password: a.ssh_password }, "whoami")).toBe("root\n");

    // exchange_docker_key: the key must be one OpenSSH public key line (no shell or Dockerfile syntax).
    const injected = await post(
      q("/service/exchange_docker_key", `&ssh_key=${encodeURIComponent("ssh-ed25519 AAAA; rm -rf /")}`),
    );
    expect(injected.status).toBe(422);
    const renter = ed25519KeyPair();
    const swapped = await post(
      q("/service/exchange_docker_key", `&ssh_key=${encodeURIComponent(renter.public)}&key_type=user`),
    );
    expect(swapped).toMatchObject({ status: 200, body: { message: "Resource ssh_key is exchanged successfully." } });

    expect((await post(`/service/deallocate?hotkey=${a.hotkey}&uuid_key=nope`)).status).toBe(400);
    expect((await post(`/service/deallocate?hotkey=5Nobody&uuid_key=${a.uuid_key}`)).status).toBe(404);
    expect(await post(q("/service/deallocate"))).toMatchObject({
      status: 200,
      body: { success: true, message: "Resource deallocated successfully." },
    });
    expect((await post(q("/service/deallocate"))).status).toBe(404);
    await expect(sshRun(a.ssh_port, { password: a.ssh_password }, "whoami")).rejects.toThrow();
    expect((await post("/list/allocations_sql")).status).toBe(404);
  });
});

describe("without COMPUTE_API_KEY", () => {
  it("answers 403 with a clear message", async () => {
    const off = await startServer({ DEVNET_COMPUTE_MINERS: "0", DEVNET_MINERS: "0" });
    try {
      const r = await fetch(off.url + "/list/count_all_gpus", { method: "POST" });
      expect(r.status).toBe(403);
      expect(await r.json()).toEqual({
        success: false,
        message: "The compute marketplace API is off: create its key on Settings, or set COMPUTE_API_KEY",
        err_detail: "The compute marketplace API is off: create its key on Settings, or set COMPUTE_API_KEY",
      });
    } finally {
      await off.stop();
    }
  });
});

describe.each([
  ["the custom server's dispatch", {}],
  ["Next's mount", { REST_FAST_PATH: "0" }],
])("COMPUTE_ALLOWED_IPS through %s", (_name, extra) => {
  it("answers 403 to other addresses before looking at the key, whatever header a client sends", async () => {
    const env = { COMPUTE_API_KEY: KEY, DEVNET_COMPUTE_MINERS: "0", DEVNET_MINERS: "0", ...extra };
    const denied = await startServer({ ...env, COMPUTE_ALLOWED_IPS: "203.0.113.0/24, 2001:db8::/32" });
    try {
      for (const headers of [
        { authorization: `Bearer ${KEY}` } as Record<string, string>,
        { authorization: `Bearer ${KEY}`, "x-subnet-console-client": "203.0.113.7", "x-forwarded-for": "203.0.113.7" },
        {},
      ]) {
        const r = await fetch(denied.url + "/list/count_all_gpus", { method: "POST", headers });
        expect(r.status).toBe(403);
        expect(await r.json()).toMatchObject({ success: false, message: "Access forbidden: IP not whitelisted" });
      }
      // /connect too, by the same scheme: its key and a forged address header change nothing.
      const upgrade = await new Promise<number>((resolve) => {
        const ws = new WebSocket(denied.url.replace(/^http/, "ws") + "/connect", {
          headers: { "x-api-key": KEY, "x-subnet-console-client": "203.0.113.7" },
        });
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => (ws.close(), resolve(101)));
        ws.on("error", () => undefined);
      });
      expect(upgrade).toBe(403);
      // The rest of the console is not behind the list.
      expect((await fetch(denied.url + "/get_phase")).status).toBe(200);
    } finally {
      await denied.stop();
    }
    const allowed = await startServer({ ...env, COMPUTE_ALLOWED_IPS: "127.0.0.1" });
    try {
      const r = await fetch(allowed.url + "/list/count_all_gpus", {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}` },
      });
      expect(r.status).toBe(200);
    } finally {
      await allowed.stop();
    }
  });
});

describe("by default", () => {
  it("lists and rents only machines Proof of GPU verified, and says so when none is", async () => {
    const strict = await startServer({
      COMPUTE_API_KEY: KEY,
      COMPUTE_NETUID: "27",
      DEVNET_MINERS: "0",
      POG_INTERVAL_BLOCKS: "100000",
    });
    const call = async (path: string, body?: unknown) => {
      const res = await fetch(strict.url + path, {
        method: "POST",
        headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" },
        body: JSON.stringify(body ?? {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
    try {
      for (let i = 0; i < 150 && (await call("/list/count_all_gpus")).body.count !== 18; i++)
        await new Promise((r) => setTimeout(r, 200));
      // 18 GPUs reported, none verified yet (no Proof of GPU round has run): nothing is offered.
      expect((await call("/list/resources_sql?stats=true")).body.data).toEqual({
        stats: { available: 0, reserved: 0, total: 0 },
      });
      const r = await call("/service/allocate_spec", { requirements: { gpu_type: "4090", gpu_size: 40 } });
      expect(r).toMatchObject({ status: 404, body: { success: false, message: "Fail to allocate resource" } });
      expect(r.body.err_detail).toMatch(
        /^\d+ machines? meets? the spec but (has|have) not passed Proof of GPU; the marketplace rents verified machines only/,
      );
      expect(await queryDatabase(strict.databaseUrl, Prisma.sql`SELECT id FROM "Allocation"`)).toEqual([]);
    } finally {
      await strict.stop();
    }
  });
});
