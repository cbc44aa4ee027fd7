import { z } from "zod";
import { apiRoute } from "../rest/api-route";
import { common, count, envelope, int, key, whole } from "./api-common";
import { allocationRoutes } from "./api-allocations";
import { countAllGpus, countByModel, listResources, listRuns, resourceQuerySchema, resourceSchema } from "./resources";

const pagingQuery = {
  stats: z.stringbool().optional(),
  page_size: int(1, 10_000).optional(),
  page_number: int(1, 1_000_000).optional(),
};

export const resourcesRoute = apiRoute({
  ...common,
  path: "/list/resources_sql",
  tags: ["Compute: inventory"],
  summary: "Machines with GPUs that reported valid specs, filtered and paged",
  description:
    "The `query` filters go in the JSON body (GiB: GPU memory summed over the GPUs, RAM available, disk free; `gpu_name` a case-insensitive substring); `stats`, `page_size` (default 50) and `page_number` are query parameters, as upstream. Without `page_number` every match is returned. Specs are self-reported by the miners over the `Specs` synapse (upstream reads them from an outside metrics service). 404 while no miner has reported.",
  query: z.object(pagingQuery),
  body: resourceQuerySchema.optional(),
  response: {
    description: "A page of resources, or with stats=true their counts",
    schema: envelope(
      z.union([
        z.object({
          page_items: z.array(resourceSchema),
          page_number: whole(1_000_000),
          page_size: whole(1_000_000_000),
          next_page_number: whole(1_000_001).nullable(),
        }),
        z.object({ stats: z.object({ available: z.number(), reserved: z.number(), total: z.number() }) }),
      ]),
    ),
  },
  errors: { ...common.errors, 404: "There is no resource available" },
  examples: {
    query: { page_size: "2", page_number: "1" },
    body: { gpu_name: "h100", gpu_capacity_min: 80 },
    response: {
      success: true,
      message: "List resources successfully",
      data: {
        page_items: [
          {
            hotkey: "5DcTdL…",
            cpu_count: 192,
            gpu_name: "nvidia h100 80gb hbm3",
            gpu_capacity: 637.18,
            gpu_count: 8,
            ram: 1843.2,
            hard_disk: 24000,
            allocate_status: "available",
          },
        ],
        page_number: 1,
        page_size: 2,
        next_page_number: null,
      },
    },
    curl: `curl -sS -X POST ${key} -H "Content-Type: application/json" -d '{"gpu_name": "h100"}' "http://localhost:3000/list/resources_sql?page_size=2&page_number=1"`,
  },
  handler: async ({ query, body }) => {
    const r = await listResources({
      query: body ?? undefined,
      stats: query.stats,
      pageSize: query.page_size,
      pageNumber: query.page_number,
    });
    return { success: true as const, ...r };
  },
});

export const resourcesWandbRoute = apiRoute({
  ...common,
  path: "/list/resources_wandb",
  tags: ["Compute: inventory"],
  summary: "Verified machines free to rent, filtered and paged (served from this console's inventory)",
  description:
    "Upstream reads this list from its outside metrics service (wandb); this console serves it from its own inventory, with the same shapes and parameters as /list/resources_sql and upstream's rules for this route: only machines whose Proof of GPU holds (the console rents each idle machine, logs in over SSH and checks its GPUs), and a page lists only machines that are not rented (with `stats=true` both are counted).",
  query: z.object(pagingQuery),
  body: resourceQuerySchema.optional(),
  response: resourcesRoute.def.response,
  errors: { ...common.errors, 404: "There is no resource available" },
  examples: {
    query: { stats: "true" },
    response: {
      success: true,
      message: "List resources successfully",
      data: { stats: { available: 6, reserved: 1, total: 7 } },
    },
    curl: `curl -sS -X POST ${key} "http://localhost:3000/list/resources_wandb?stats=true"`,
  },
  handler: async ({ query, body }) => ({
    success: true as const,
    ...(await listResources({
      query: body ?? undefined,
      stats: query.stats,
      pageSize: query.page_size,
      pageNumber: query.page_number,
      onlyAvailable: true,
      onlyVerified: true,
    })),
  }),
});

const runSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  configs: z.record(z.string(), z.unknown()),
  state: z.string(),
  start_at: z.string(),
});

export const allRunsRoute = apiRoute({
  ...common,
  path: "/list/all_runs",
  tags: ["Compute: inventory"],
  summary: "One run per machine that reported its specs (served from this console's inventory)",
  description:
    'Upstream lists its miners\' running metrics runs from wandb as `{index: {id, name, description, configs, state, start_at}}`; this console lists one run per machine of its inventory with that shape, `configs` holding the hotkey and the last Specs report. `hotkey`, `page_size` (50) and `page_number` are query parameters. No machine: 200 with "No runs available" and empty data, as upstream.',
  query: z.object({
    hotkey: z.string().max(64).optional(),
    page_size: pagingQuery.page_size,
    page_number: pagingQuery.page_number,
  }),
  response: {
    description: "Runs, paged",
    schema: envelope(
      z.union([
        z.object({
          page_items: z.array(z.record(z.string(), runSchema)),
          page_number: whole(1_000_000),
          page_size: whole(1_000_000_000),
          next_page_number: whole(1_000_001).nullable(),
        }),
        z.object({}),
      ]),
    ),
  },
  examples: {
    query: { page_size: "1", page_number: "1" },
    response: {
      success: true,
      message: "List run resources successfully.",
      data: {
        page_items: [
          {
            "1": {
              id: "3fa9c2d1",
              name: "miner-5DcTdL…",
              description: "Specs reported to this console over the Specs synapse",
              configs: { netuid: 27, hotkey: "5DcTdL…", role: "miner", specs: { cpu: { count: 192 } } },
              state: "running",
              start_at: "2026-11-23T17:00:00",
            },
          },
        ],
        page_number: 1,
        page_size: 1,
        next_page_number: 2,
      },
    },
    curl: `curl -sS -X POST ${key} "http://localhost:3000/list/all_runs?page_size=1&page_number=1"`,
  },
  handler: async ({ query }) => ({
    success: true as const,
    ...(await listRuns({ hotkey: query.hotkey, pageSize: query.page_size, pageNumber: query.page_number })),
  }),
});

export const countAllGpusRoute = apiRoute({
  ...common,
  path: "/list/count_all_gpus",
  tags: ["Compute: inventory"],
  summary: "GPUs on the compute subnet (every miner that reported valid specs)",
  response: { description: 'A bare {"count": N}', schema: count },
  examples: { response: { count: 17 }, curl: `curl -sS -X POST ${key} "http://localhost:3000/list/count_all_gpus"` },
  handler: () => countAllGpus(),
});

export const countByModelRoute = apiRoute({
  ...common,
  path: "/list/count_all_by_model",
  tags: ["Compute: inventory"],
  summary: "Machines whose GPU is exactly a model",
  description:
    "`model` is the full GPU name in any case (e.g. `NVIDIA GeForce RTX 4090`); with `cpu_count` only machines with exactly that many CPUs count, else with `ram_size` only those whose installed RAM rounded up to whole GiB equals it (upstream's rule).",
  query: z.object({
    model: z.string().min(1).max(128),
    cpu_count: int(0, 1_000_000).optional(),
    ram_size: z
      .string()
      .regex(/^\d{1,9}(\.\d{1,6})?$/, "must be a number")
      .transform(Number)
      .optional(),
  }),
  response: { description: 'A bare {"count": N}', schema: count },
  examples: {
    query: { model: "NVIDIA GeForce RTX 4090" },
    response: { count: 1 },
    curl: `curl -sS -X POST ${key} "http://localhost:3000/list/count_all_by_model?model=NVIDIA%20GeForce%20RTX%204090"`,
  },
  handler: ({ query }) => countByModel(query.model, query.cpu_count, query.ram_size),
});

export const computeRoutes = [
  ...allocationRoutes,
  resourcesRoute,
  resourcesWandbRoute,
  allRunsRoute,
  countAllGpusRoute,
  countByModelRoute,
];
