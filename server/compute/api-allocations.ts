/**
 * The compute marketplace's allocation routes (SN27 RegisterAPI's /service/* and /list/allocations_sql):
 * upstream's paths, parameter placement (scalars in the query, models in the body) and envelopes, with the
 * improvements documented on each: failures are non-2xx, unconfirmed releases stay `releasing`, passwords
 * are sealed at rest and listed only to the admin key.
 */
import { z } from "zod";
import { config } from "../env";
import { ForbiddenError } from "../errors";
import { apiRoute } from "../rest/api-route";
import { common, envelope, key, whole } from "./api-common";
import { allocateHotkey, allocateSpec, HOTKEY_BASE_IMAGE } from "./allocations/allocate";
import { checkMinerStatus } from "./allocations/check";
import { DOCKER_ACTIONS, type DockerAction, dockerAction } from "./allocations/docker";
import { listAllocations } from "./allocations/lookup";
import { deallocate } from "./allocations/release";
import { ALLOCATION_STATES, deviceRequirementSchema, dockerRequirementSchema, sshPublicKeySchema } from "./forms";
import { computeConfig } from "./config";

const hotkey = z.string().max(64).describe("The miner's hotkey (SS58)");
const uuidKey = z.string().max(64).describe("The allocation's uuid_key, from the allocation response");

export const allocationSchema = z
  .object({
    resource: z.string().describe("The GPU name (lower case), as the inventory lists it"),
    hotkey: z.string(),
    regkey: z
      .string()
      .describe("SPKI PEM of the allocation's RSA-2048 key: the miner accepts later actions only with it"),
    ssh_ip: z.string(),
    ssh_port: whole(65535),
    ssh_username: z.string(),
    ssh_password: z
      .string()
      .describe("In full only in the allocation response (and to the admin key with include_secrets)"),
    ssh_command: z.string(),
    ssh_key: z.string(),
    uuid_key: z.string(),
    miner_version: whole(1_000_000_000),
    state: z
      .enum(ALLOCATION_STATES)
      .describe("active, paused, releasing (the miner has not confirmed the release yet)"),
    status: z.enum(["ONLINE", "OFFLINE"]).describe("The last health check"),
    strikes: whole(1_000_000).describe("Failed health checks in a row"),
    created_at: z.string(),
    expires_at: z.string().nullable().describe("When the timeline ends; the console releases the miner then"),
    checked_at: z.string().nullable(),
  })
  .meta({ id: "Allocation" });

const PEM_EXAMPLE =
  "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…\n-----END PUBLIC KEY-----\n";
const allocationExample = {
  resource: "nvidia geforce rtx 4090",
  hotkey: "5FLNTJKcX1iV66AMJ2k8BGR6Q52JwYzTw1Y55N9QG7tuLg6a",
  regkey: PEM_EXAMPLE,
  ssh_ip: "203.0.113.7",
  ssh_port: 40022,
  ssh_username: "root",
  ssh_password: "Xk3v9QpT2mWb7LcN4sRz8a",
  ssh_command: "ssh root@203.0.113.7 -p 40022",
  ssh_key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE5xdmFkZ2V0aGlzaXNhbmV4YW1wbGVrZXkx renter@laptop",
  uuid_key: "0b3f4c8e-2a6d-4b1e-9c7f-5d2a8e6b1c40",
  miner_version: 200,
  state: "active",
  status: "ONLINE",
  strikes: 0,
  created_at: "2026-11-23T17:00:00.000Z",
  expires_at: "2026-12-23T17:00:00.000Z",
  checked_at: null,
};
const allocated = (description: string) => ({
  description,
  schema: envelope(allocationSchema),
});
const done = z.object({ success: z.literal(true), message: z.string(), data: allocationSchema.optional() });
const notHeld = "No allocation details found for the provided hotkey (404); wrong uuid_key (400)";

export const allocateSpecRoute = apiRoute({
  ...common,
  path: "/service/allocate_spec",
  tags: ["Compute: allocation"],
  summary: "Rent the first free miner that meets a requirement",
  description:
    "Candidates come from the inventory with upstream's units and comparisons: `cpu_count` at least; GPU memory summed over the GPUs (MiB) more than `gpu_size` x 1000; `gpu_type` a part of the GPU name in any case (`gpu`, the default, means any GPU: upstream's default matched no GPU name); free disk and available RAM at least `hard_disk` and `ram` GiB. `gpu_type` \"\" or `gpu_size` 0 asks for no GPU. The smallest fitting machine goes first. Each candidate is asked whether it is free (15 s), then the first free one is asked to allocate (60 s) with a fresh RSA-2048 public key; it seals the SSH credentials to that key. Two callers never get the same miner (the database decides). The password is shown in full only in this answer.",
  body: z.object({ requirements: deviceRequirementSchema, docker_requirement: dockerRequirementSchema.optional() }),
  response: allocated("Resource was successfully allocated"),
  errors: {
    ...common.errors,
    404: "Fail to allocate resource: no miner meets the requirement, or none of them is free",
    503: "This console has no hotkey to call miners with",
  },
  examples: {
    body: {
      requirements: { gpu_type: "4090", gpu_size: 40, ram: 32, hard_disk: 100, cpu_count: 8, timeline: 7 },
      docker_requirement: { ssh_key: allocationExample.ssh_key },
    },
    response: { success: true, message: "Resource was successfully allocated", data: allocationExample },
    curl: `curl -sS -X POST ${key} -H "Content-Type: application/json" -d '{"requirements": {"gpu_type": "4090", "gpu_size": 40, "timeline": 7}, "docker_requirement": {"ssh_key": "ssh-ed25519 AAAA... me@laptop"}}' "http://localhost:3000/service/allocate_spec"`,
  },
  handler: async ({ body }) => ({
    success: true as const,
    message: "Resource was successfully allocated",
    data: await allocateSpec(body.requirements, body.docker_requirement ?? dockerRequirementSchema.parse({})),
  }),
});

export const allocateHotkeyRoute = apiRoute({
  ...common,
  path: "/service/allocate_hotkey",
  tags: ["Compute: allocation"],
  summary: "Rent one named miner",
  description: `\`hotkey\` and \`ssh_key\` are query parameters; the optional body is a DockerRequirement (its \`ssh_key\` is replaced by the query's when given). As upstream: 30 days, any GPU, image \`${HOTKEY_BASE_IMAGE}\` unless the body names one. A miner that does not answer gives 502 (upstream: 404).`,
  query: z.object({ hotkey: z.string().max(64), ssh_key: z.union([z.literal(""), sshPublicKeySchema]).optional() }),
  body: dockerRequirementSchema.partial().optional(),
  response: allocated("Resource was successfully allocated"),
  errors: {
    ...common.errors,
    400: "Invalid allocation request: empty hotkey",
    404: "Fail to allocate resource: not a serving miner of the compute subnet, already allocated, or busy",
    502: "The miner did not answer",
    503: "This console has no hotkey to call miners with",
  },
  examples: {
    query: { hotkey: allocationExample.hotkey },
    response: { success: true, message: "Resource was successfully allocated", data: allocationExample },
    curl: `curl -sS -X POST ${key} "http://localhost:3000/service/allocate_hotkey?hotkey=5FLNTJ..."`,
  },
  handler: async ({ query, body }) => {
    const docker = dockerRequirementSchema.parse({ base_image: HOTKEY_BASE_IMAGE, ...body });
    if (query.ssh_key !== undefined) docker.ssh_key = query.ssh_key;
    return {
      success: true as const,
      message: "Resource was successfully allocated",
      data: await allocateHotkey(query.hotkey, docker),
    };
  },
});

export const deallocateRoute = apiRoute({
  ...common,
  path: "/service/deallocate",
  tags: ["Compute: allocation"],
  summary: "End an allocation",
  description:
    "The miner is asked to release the rental (15 s). When it confirms, or answers that it no longer holds this allocation's key, the allocation ends: 200. When it does not answer, the allocation stays `releasing` (listed, the miner still held) and the console asks again at every health check until the miner answers or the strike limit; the answer is 502 with `success: false` (upstream deletes the row and answers 200). With `notify_flag=true` the DEALLOCATION webhook is sent once the allocation has ended (as upstream; the console sends it always when it ends an allocation itself: expiry, failed checks).",
  query: z.object({ hotkey, uuid_key: uuidKey, notify_flag: z.stringbool().optional() }),
  response: { description: "Resource deallocated successfully.", schema: done },
  errors: {
    ...common.errors,
    400: "Deallocation not successfully, please try again. (wrong uuid_key)",
    404: "No allocation details found for the provided hotkey.",
    502: "The miner did not confirm the release (the allocation stays releasing and is retried)",
  },
  examples: {
    query: { hotkey: allocationExample.hotkey, uuid_key: allocationExample.uuid_key },
    response: { success: true, message: "Resource deallocated successfully." },
    curl: `curl -sS -X POST ${key} "http://localhost:3000/service/deallocate?hotkey=5FLNTJ...&uuid_key=0b3f4c8e-..."`,
  },
  handler: async ({ query }) => {
    await deallocate(query.hotkey, query.uuid_key, "api", query.notify_flag ?? false);
    return { success: true as const, message: "Resource deallocated successfully." };
  },
});

const statusSchema = z.union([
  z.object({
    hotkey: z.string(),
    status: z.enum(["Docker ONLINE", "Docker OFFLINE", "Miner NO_RESPONSE", "Not Found"]),
  }),
  z.object({ hotkey: z.string(), version: whole(1_000_000_000) }),
]);

export const checkMinerStatusRoute = apiRoute({
  ...common,
  path: "/service/check_miner_status",
  tags: ["Compute: allocation"],
  summary: "Ask miners whether they are rented",
  description:
    'The body is a JSON array of hotkeys (at most 256). Each serving miner is asked whether it is free (10 s): rented is "Docker ONLINE", free "Docker OFFLINE", no answer "Miner NO_RESPONSE", not on the subnet "Not Found". With `query_version=true` each answer is the miner\'s axon version instead.',
  query: z.object({ query_version: z.stringbool().optional() }),
  body: z.array(z.string().max(64)).max(256),
  response: { description: "List hotkey status successfully.", schema: envelope(z.array(statusSchema)) },
  examples: {
    body: [allocationExample.hotkey],
    response: {
      success: true,
      message: "List hotkey status successfully.",
      data: [{ hotkey: allocationExample.hotkey, status: "Docker ONLINE" }],
    },
    curl: `curl -sS -X POST ${key} -H "Content-Type: application/json" -d '["5FLNTJ..."]' "http://localhost:3000/service/check_miner_status"`,
  },
  handler: async ({ query, body }) => ({
    success: true as const,
    message: "List hotkey status successfully.",
    data: await checkMinerStatus(body, query.query_version ?? false),
  }),
});

function dockerRoute(path: string, action: Exclude<DockerAction, "exchange_key">, summary: string) {
  const text = DOCKER_ACTIONS[action];
  return apiRoute({
    ...common,
    path,
    tags: ["Compute: allocation"],
    summary,
    description:
      "Sent to the miner with the allocation's key (60 s); only a confirmed action answers 200. A refusal is 400 and no answer 502 (upstream answers 200 to some failures).",
    query: z.object({ hotkey, uuid_key: uuidKey }),
    response: { description: text.done, schema: done },
    errors: {
      ...common.errors,
      400: `${text.failed} (wrong uuid_key, or the miner refused)`,
      404: notHeld,
      502: "The miner did not answer",
    },
    examples: {
      query: { hotkey: allocationExample.hotkey, uuid_key: allocationExample.uuid_key },
      response: { success: true, message: text.done },
      curl: `curl -sS -X POST ${key} "http://localhost:3000${path}?hotkey=5FLNTJ...&uuid_key=0b3f4c8e-..."`,
    },
    handler: async ({ query }) => {
      const r = await dockerAction(query.hotkey, query.uuid_key, action);
      return { success: true as const, message: r.message };
    },
  });
}

export const restartRoute = dockerRoute("/service/restart_docker", "restart", "Restart a rental's container");
export const pauseRoute = dockerRoute(
  "/service/pause_docker",
  "pause",
  "Pause a rental (logins refused until unpaused)",
);
export const unpauseRoute = dockerRoute("/service/unpause_docker", "unpause", "Unpause a rental");

export const exchangeKeyRoute = apiRoute({
  ...common,
  path: "/service/exchange_docker_key",
  tags: ["Compute: allocation"],
  summary: "Replace the SSH key of a rental",
  description:
    "`ssh_key` (one OpenSSH public key line) and `key_type` (`user`: the renter's login key; `terminal`) are query parameters, as upstream. Only a confirmed exchange answers 200 (upstream answers 200 even when the miner failed).",
  query: z.object({
    hotkey,
    uuid_key: uuidKey,
    ssh_key: sshPublicKeySchema,
    key_type: z.enum(["user", "terminal"]).default("user"),
  }),
  response: { description: DOCKER_ACTIONS.exchange_key.done, schema: done },
  errors: {
    ...common.errors,
    400: `${DOCKER_ACTIONS.exchange_key.failed} (wrong uuid_key, or the miner refused)`,
    404: notHeld,
    502: "The miner did not answer",
  },
  examples: {
    query: {
      hotkey: allocationExample.hotkey,
      uuid_key: allocationExample.uuid_key,
      ssh_key: allocationExample.ssh_key,
      key_type: "user",
    },
    response: { success: true, message: DOCKER_ACTIONS.exchange_key.done },
    curl: `curl -sS -X POST ${key} --get --data-urlencode "ssh_key=$(cat ~/.ssh/id_ed25519.pub)" -d hotkey=5FLNTJ... -d uuid_key=0b3f4c8e-... -X POST "http://localhost:3000/service/exchange_docker_key"`,
  },
  handler: async ({ query }) => {
    const r = await dockerAction(query.hotkey, query.uuid_key, "exchange_key", {
      ssh_key: query.ssh_key,
      key_type: query.key_type,
    });
    return { success: true as const, message: r.message };
  },
});

export const allocationsRoute = apiRoute({
  ...common,
  path: "/list/allocations_sql",
  tags: ["Compute: allocation"],
  summary: "Live allocations",
  description:
    "Active, paused and releasing allocations. `ssh_password` is empty (it is stored sealed with AES-256-GCM) unless `include_secrets=true` is sent with the admin key (COMPUTE_ADMIN_KEY as the API key); with the ordinary key that is 403.",
  query: z.object({ include_secrets: z.stringbool().optional() }),
  response: { description: "List allocations successfully.", schema: envelope(z.array(allocationSchema)) },
  errors: {
    ...common.errors,
    403: "The API is off (no key), or include_secrets without the admin key",
    404: "No resources found.",
  },
  examples: {
    response: {
      success: true,
      message: "List allocations successfully.",
      data: [{ ...allocationExample, ssh_password: "" }],
    },
    curl: `curl -sS -X POST ${key} "http://localhost:3000/list/allocations_sql"`,
  },
  handler: async ({ query, auth }) => {
    if (query.include_secrets && !auth.admin)
      throw new ForbiddenError(
        computeConfig().COMPUTE_ADMIN_KEY
          ? "include_secrets needs the admin key (COMPUTE_ADMIN_KEY)"
          : "include_secrets needs COMPUTE_ADMIN_KEY, which is not set on this console",
      );
    return {
      success: true as const,
      message: "List allocations successfully.",
      data: await listAllocations(query.include_secrets ?? false, auth.admin),
    };
  },
});

export const allocationRoutes = [
  allocateSpecRoute,
  allocateHotkeyRoute,
  deallocateRoute,
  checkMinerStatusRoute,
  restartRoute,
  pauseRoute,
  unpauseRoute,
  exchangeKeyRoute,
  allocationsRoute,
];
