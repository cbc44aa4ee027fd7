import { z } from "zod";
import { apiRoute } from "../rest/api-route";
import { common, count, envelope, int, key, whole } from "./api-common";
import { allocationRoutes } from "./api-allocations";
import { countAllGpus, countByModel, listResources, resourceQuerySchema, resourceSchema } from "./resources";

export const resourcesRoute = apiRoute({
  ...common,
  path: "/list/resources_sql",
  tags: ["Compute: inventory"],
  summary: "Machines with GPUs that reported valid specs, filtered and paged",
  description:
    "The `query` filters go in the JSON body (GiB: GPU memory summed over the GPUs, RAM available, disk free; `gpu_name` a case-insensitive substring); `stats`, `page_size` (default 50) and `page_number` are query parameters, as upstream. Without `page_number` every match is returned. Specs are self-reported by the miners over the `Specs` synapse (upstream reads them from an outside metrics service). 404 while no miner has reported.",
  query: z.object({
    stats: z.stringbool().optional(),
    page_size: int(1, 10_000).optional(),
    page_number: int(1, 1_000_000).optional(),
  }),
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
    curl: `curl -s -X POST ${key} -H "Content-Type: application/json" -d '{"gpu_name": "h100"}' "http://localhost:3000/list/resources_sql?page_size=2&page_number=1"`,
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

export const countAllGpusRoute = apiRoute({
  ...common,
  path: "/list/count_all_gpus",
  tags: ["Compute: inventory"],
  summary: "GPUs on the compute subnet (every miner that reported valid specs)",
  response: { description: 'A bare {"count": N}', schema: count },
  examples: { response: { count: 17 }, curl: `curl -s -X POST ${key} http://localhost:3000/list/count_all_gpus` },
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
    curl: `curl -s -X POST ${key} "http://localhost:3000/list/count_all_by_model?model=NVIDIA%20GeForce%20RTX%204090"`,
  },
  handler: ({ query }) => countByModel(query.model, query.cpu_count, query.ram_size),
});

export const computeRoutes = [...allocationRoutes, resourcesRoute, countAllGpusRoute, countByModelRoute];
