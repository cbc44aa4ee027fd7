/**
 * The compute marketplace's inventory routes against the devnet's compute miners (real axons reporting
 * Specs over the wire): auth, envelopes, upstream's units, filters, paging, stats, counts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, startServer, trpc, type RunningServer } from "../support/server";

const KEY = "compute-test-key-0123456789";
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
  server = await startServer({ COMPUTE_API_KEY: KEY, COMPUTE_NETUID: "27", DEVNET_MINERS: "1" });
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
    expect(data.byModel[0]).toEqual({ model: "nvidia h100 80gb hbm3", gpus: 9, machines: 2 });
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
        message: "The compute marketplace API is off: set COMPUTE_API_KEY",
        err_detail: "The compute marketplace API is off: set COMPUTE_API_KEY",
      });
    } finally {
      await off.stop();
    }
  });
});
