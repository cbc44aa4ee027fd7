/**
 * Renting compute miners (SN27's allocation flow): candidates by spec from the inventory, a free check over
 * the wire, then `Allocate` on the first free one with a fresh RSA-2048 key; the miner seals the SSH
 * credentials to it. A miner is held by at most one allocation: the claim is a row whose `live` column is
 * unique, so the database decides races on SQLite and Postgres alike. Passwords are stored sealed.
 */
import { randomUUID } from "node:crypto";
import { sealSecret, unsealSecret } from "../auth/secrets";
import { listNeurons } from "../chain";
import { axonOf, dendrite } from "../bittensor/ping";
import type { AxonInfo, CallResult, RequestOf } from "../bittensor";
import { db, isUniqueViolation, type Allocation } from "../db";
import { config, netuidOf } from "../env";
import { BadGatewayError, BadRequestError, NotFoundError, UnavailableError } from "../errors";
import { log } from "../log";
import { type AllocationState, type DeviceRequirement, type DockerRequirement, HELD_STATES } from "./forms";
import { publish } from "./events";
import { sampleInventory } from "./samples";
import { ALLOCATE_TIMEOUTS, AllocateSynapse } from "./protocol";
import { notify } from "./webhooks";
import { allocationKeys, openCredentials, SealError } from "./sealing";
import { customerRentalsWhere, matchSpec, noMatchReason, POG_RENTER } from "./market";

const GIB = 1024 ** 3;
const CHECK_CONCURRENCY = 32;
/** What allocate_hotkey rents when the caller gives no image (upstream's choice). */
export const HOTKEY_BASE_IMAGE = "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime";
export const HOTKEY_TIMELINE_DAYS = 30;

type AllocateFields = RequestOf<typeof AllocateSynapse>;

function requireDendrite() {
  const d = dendrite();
  if (!d) throw new UnavailableError("This console has no hotkey to call miners with");
  return d;
}

/** Upstream's device_requirement on the wire: bytes for disk and RAM, MB for GPU memory. */
export function wireRequirement(req: DeviceRequirement): Record<string, unknown> {
  const gpu =
    req.gpu_type !== "" && req.gpu_size !== 0 ? { count: 1, capacity: req.gpu_size * 1000, type: req.gpu_type } : {};
  return {
    cpu: { count: req.cpu_count },
    gpu,
    hard_disk: { capacity: req.hard_disk * GIB },
    ram: { capacity: req.ram * GIB },
  };
}

async function axonsFor(netuid: number, hotkeys: string[]): Promise<AxonInfo[]> {
  const byHotkey = new Map((await listNeurons(netuid)).map((n) => [n.hotkey, n]));
  return hotkeys.map((h) => byHotkey.get(h)).flatMap((n) => (n ? [axonOf(n)].filter((a): a is AxonInfo => !!a) : []));
}

/** What the API answers for an allocation (upstream's Allocation, plus the console's lifecycle fields). */
export interface AllocationView {
  resource: string;
  hotkey: string;
  regkey: string;
  ssh_ip: string;
  ssh_port: number;
  ssh_username: string;
  ssh_password: string;
  ssh_command: string;
  ssh_key: string;
  uuid_key: string;
  miner_version: number;
  state: AllocationState;
  status: string;
  strikes: number;
  created_at: string;
  expires_at: string | null;
  checked_at: string | null;
}

/**
 * A rental's uuid as others than its renter and the admins see it: enough to tell rows apart, not enough to act
 * on the rental (deallocate, docker actions and key exchange take the whole uuid).
 */
export const maskUuid = (uuid: string) => `${uuid.slice(0, 8)}…`;

export function viewOf(a: Allocation, password = "", fullUuid = true): AllocationView {
  return {
    resource: a.resource,
    hotkey: a.hotkey,
    regkey: a.regkey,
    ssh_ip: a.sshIp,
    ssh_port: a.sshPort,
    ssh_username: a.sshUsername,
    ssh_password: password,
    ssh_command: a.sshUsername ? `ssh ${a.sshUsername}@${a.sshIp} -p ${a.sshPort}` : "",
    ssh_key: a.sshKey,
    uuid_key: fullUuid ? a.uuid : maskUuid(a.uuid),
    miner_version: a.minerVersion,
    state: a.state as AllocationState,
    status: a.status,
    strikes: a.strikes,
    created_at: a.createdAt.toISOString(),
    expires_at: a.expiresAt?.toISOString() ?? null,
    checked_at: a.checkedAt?.toISOString() ?? null,
  };
}

/** How old a `pending` claim is when no allocation can still be waiting for its miner's answer. */
const STALE_CLAIM_MS = (ALLOCATE_TIMEOUTS.allocate + 60) * 1000;

type RentOutcome = { ok: true; view: AllocationView } | { ok: false; why: string; answered: boolean };

/**
 * Claims the miner (a `pending` row; another caller's claim wins the unique `live` key) and asks it to
 * allocate. A miner that may have rented without us reading the credentials is released by the job.
 */
async function rent(
  netuid: number,
  axon: AxonInfo,
  timeline: number,
  device_requirement: Record<string, unknown>,
  docker: DockerRequirement,
  by: string,
  keysPromise: ReturnType<typeof allocationKeys>,
): Promise<RentOutcome> {
  const keys = await keysPromise;
  const uuid = randomUUID();
  try {
    await db().allocation.create({
      data: {
        uuid,
        netuid,
        hotkey: axon.hotkey,
        live: `${netuid}:${axon.hotkey}`,
        state: "pending",
        regkey: keys.publicKey,
        timeline,
        sshKey: docker.ssh_key,
        createdBy: by,
      },
    });
  } catch (e) {
    if (isUniqueViolation(e)) return { ok: false, why: "held by another allocation", answered: true };
    throw e;
  }
  try {
    return await rentClaimed(netuid, axon, timeline, device_requirement, docker, keys, uuid);
  } catch (e) {
    // Whatever failed here, the miner may hold the rental: the allocation job asks it to let go.
    await db()
      .allocation.update({
        where: { uuid },
        data: { state: "releasing", reason: `error: ${(e as Error).message}`.slice(0, 300) },
      })
      .catch(() => undefined);
    throw e;
  }
}

async function rentClaimed(
  netuid: number,
  axon: AxonInfo,
  timeline: number,
  device_requirement: Record<string, unknown>,
  docker: DockerRequirement,
  keys: Awaited<ReturnType<typeof allocationKeys>>,
  uuid: string,
): Promise<RentOutcome> {
  const fields: AllocateFields = {
    timeline,
    device_requirement,
    checking: false,
    public_key: keys.publicKey,
    docker_requirement: { ...docker, ssh_port: 4444 },
    docker_change: false,
    docker_action: { action: "", ssh_key: "", key_type: "" },
  };
  const r = await requireDendrite().call(axon, AllocateSynapse, fields, { timeout: ALLOCATE_TIMEOUTS.allocate });
  const output = r.status === 200 ? r.response?.output : undefined;
  if (!output || output.status !== true) {
    const answered = r.status === 200;
    const why = answered ? "the miner refused (busy)" : `no answer: ${r.status} ${r.message}`.slice(0, 300);
    // Unanswered: the miner may have rented after our deadline; releasing asks it to let go.
    await db().allocation.update({
      where: { uuid },
      data: answered
        ? { state: "failed", live: null, reason: why, releasedAt: new Date() }
        : { state: "releasing", reason: why },
    });
    return { ok: false, why, answered };
  }
  let creds: ReturnType<typeof openCredentials>;
  try {
    creds = openCredentials(keys.privateKey, typeof output.info === "string" ? output.info : "");
  } catch (e) {
    const why = `unusable credentials: ${e instanceof SealError ? e.message : "unreadable"}`;
    await db().allocation.update({ where: { uuid }, data: { state: "releasing", reason: why } });
    return { ok: false, why, answered: true };
  }
  const miner = await db().computeMiner.findUnique({ where: { netuid_hotkey: { netuid, hotkey: axon.hotkey } } });
  const now = new Date();
  const row = await db().allocation.update({
    where: { uuid },
    data: {
      state: "active",
      status: "ONLINE",
      statusChangedAt: now,
      resource: miner?.gpuName ?? "No details available",
      sshIp: axon.ip,
      sshPort: creds.port,
      sshUsername: creds.username,
      sshPassword: sealSecret(creds.password),
      minerVersion: Number(creds.version ?? r.axonInfo.version ?? 0) || 0,
      expiresAt: new Date(now.getTime() + timeline * 86_400_000),
    },
  });
  log.info({ hotkey: axon.hotkey, uuid, ms: r.latencyMs }, "compute miner allocated");
  await publish("allocation.created", { hotkey: axon.hotkey, uuid, resource: row.resource });
  return { ok: true, view: viewOf(row, creds.password) };
}

/**
 * /service/allocate_spec: the first free miner that meets the requirement (market.ts: verified machines, as
 * measured). A failure says why in err_detail: nothing meets the spec (and which requirement rules out most),
 * every match is busy or unverified, the free ones refused or did not answer.
 */
export async function allocateSpec(
  req: DeviceRequirement,
  docker: DockerRequirement,
  by = "api",
): Promise<AllocationView> {
  const d = requireDendrite();
  const netuid = netuidOf("compute");
  const keys = allocationKeys();
  keys.catch(() => undefined);
  const match = await matchSpec(req, netuid);
  const axons = await axonsFor(netuid, match.free);
  if (!axons.length)
    throw new NotFoundError(
      "Fail to allocate resource",
      match.free.length
        ? "The machines that meet the spec are not serving on the compute subnet."
        : noMatchReason(match),
    );
  const device_requirement = wireRequirement(req);
  const checks = await d.forward(
    axons,
    AllocateSynapse,
    { ...idleFields(), timeline: req.timeline, device_requirement, checking: true },
    { timeout: ALLOCATE_TIMEOUTS.check, concurrency: CHECK_CONCURRENCY },
  );
  const free = checks.filter((c) => c.status === 200 && c.response?.output?.status === true).map((c) => c.axon);
  const whys: string[] = [];
  for (const axon of free) {
    const out = await rent(netuid, axon, req.timeline, device_requirement, docker, by, keys);
    if (out.ok) return out.view;
    whys.push(out.why);
  }
  const silent = checks.filter((c) => c.status !== 200).length;
  const refused = checks.length - silent - free.length;
  const parts = [
    refused && `${refused} refused (they report being rented)`,
    silent && `${silent} did not answer within ${ALLOCATE_TIMEOUTS.check} s`,
    whys.length && `${whys.length} failed to allocate (${[...new Set(whys)].join("; ")})`,
  ].filter(Boolean);
  throw new NotFoundError(
    "Fail to allocate resource",
    `Of the ${checks.length} free machines that meet the spec, ${parts.join(", ")}.`.slice(0, 500),
  );
}

/** /service/allocate_hotkey: one named miner (upstream: 30 days, any GPU, its pytorch image by default). */
export async function allocateHotkey(
  hotkey: string,
  docker: DockerRequirement,
  by = "api",
  timelineDays = HOTKEY_TIMELINE_DAYS,
): Promise<AllocationView> {
  if (!hotkey) throw new BadRequestError("Invalid allocation request", "Invalid hotkey, please check the hotkey");
  requireDendrite();
  const netuid = netuidOf("compute");
  const keys = allocationKeys();
  keys.catch(() => undefined);
  const [axon] = await axonsFor(netuid, [hotkey]);
  if (!axon)
    throw new NotFoundError("Fail to allocate resource", "The hotkey is not a serving miner of the compute subnet");
  const requirement = {
    cpu: { count: 1 },
    gpu: { count: 1, capacity: 0, type: "" },
    hard_disk: { capacity: GIB },
    ram: { capacity: GIB },
  };
  const out = await rent(netuid, axon, timelineDays, requirement, docker, by, keys);
  if (out.ok) return out.view;
  if (!out.answered) throw new BadGatewayError("Fail to allocate resource", `The miner did not answer (${out.why})`);
  throw new NotFoundError(
    "Fail to allocate resource",
    out.why === "held by another allocation"
      ? "The miner is already allocated (rented, or being verified by Proof of GPU)"
      : `${out.why[0].toUpperCase()}${out.why.slice(1)}`,
  );
}

function idleFields(): AllocateFields {
  return {
    timeline: 0,
    device_requirement: {},
    checking: false,
    public_key: "",
    docker_requirement: { base_image: "ubuntu", ssh_key: "", ssh_port: 4444, volume_path: "/tmp", dockerfile: "" },
    docker_change: false,
    docker_action: { action: "", ssh_key: "", key_type: "" },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The allocation a hotkey + uuid_key pair names (404 no live allocation, 400 wrong uuid, as upstream). */
async function heldBy(
  hotkey: string,
  uuid: string,
  failure: string,
  states: AllocationState[],
  pog = false,
): Promise<Allocation> {
  // Proof of GPU's rentals are the validator's own: no customer's call acts on them.
  const row = await db().allocation.findFirst({
    where: {
      netuid: netuidOf("compute"),
      hotkey,
      state: { in: states },
      createdBy: pog ? POG_RENTER : { not: POG_RENTER },
    },
    orderBy: { id: "desc" },
  });
  if (!row)
    throw new NotFoundError(
      "No allocation details found for the provided hotkey.",
      "No allocation details found for the provided hotkey.",
    );
  if (!UUID.test(uuid) || row.uuid !== uuid.toLowerCase()) throw new BadRequestError(failure, "Invalid UUID key");
  return row;
}

async function axonOfAllocation(a: Allocation): Promise<AxonInfo | null> {
  const [axon] = await axonsFor(a.netuid, [a.hotkey]);
  return axon ?? null;
}

/** Asks the miner to let go (only the allocation's key can). True when the miner answered. */
async function askRelease(a: Allocation): Promise<CallResult<typeof AllocateSynapse> | null> {
  const axon = await axonOfAllocation(a);
  if (!axon) return null;
  return requireDendrite().call(
    axon,
    AllocateSynapse,
    { ...idleFields(), public_key: a.regkey },
    { timeout: ALLOCATE_TIMEOUTS.deallocate },
  );
}

/**
 * Ends an allocation. The miner confirms (or answers that it does not hold this key): released. No answer:
 * the allocation stays `releasing` and the allocation job asks again until it answers or the strike limit.
 * `notifyEnd`: send the DEALLOCATION webhook once it has ended (the console ended it, or the caller asked).
 */
export async function release(
  a: Allocation,
  reason: string,
  notifyEnd: boolean,
): Promise<{ confirmed: boolean; view: AllocationView }> {
  const marked = await db().allocation.update({
    where: { id: a.id },
    data: { state: "releasing", reason, notifyRelease: a.notifyRelease || notifyEnd },
  });
  const r = await askRelease(a);
  const answered = r?.status === 200;
  if (!answered) {
    const row = await db().allocation.update({
      where: { id: a.id },
      data: {
        strikes: { increment: 1 },
        reason:
          `${reason}; release not confirmed: ${r ? `${r.status} ${r.message}` : "the miner is not serving"}`.slice(
            0,
            500,
          ),
      },
    });
    if (a.state !== "releasing") await publish("allocation.releasing", { hotkey: a.hotkey, uuid: a.uuid });
    return { confirmed: false, view: viewOf(row) };
  }
  const how = r.response?.output?.status === true ? reason : `${reason} (the miner no longer held this key)`;
  return { confirmed: true, view: viewOf(await ended(marked, how)) };
}

/** The allocation is over: the miner is free for others; webhook and event. */
async function ended(a: Allocation, reason: string): Promise<Allocation> {
  const at = new Date();
  const row = await db().allocation.update({
    where: { id: a.id },
    data: { state: "released", live: null, releasedAt: at, reason },
  });
  if (a.notifyRelease) await notify("DEALLOCATION", a, at);
  await publish("allocation.deallocated", { hotkey: a.hotkey, uuid: a.uuid, reason });
  return row;
}

/** /service/deallocate. */
export async function deallocate(hotkey: string, uuid: string, by = "api", notifyEnd = false): Promise<AllocationView> {
  const a = await heldBy(
    hotkey,
    uuid,
    "Deallocation not successfully, please try again.",
    ["active", "paused", "releasing"],
    by === POG_RENTER,
  );
  const { confirmed, view } = await release(a, `deallocated by ${by}`, notifyEnd);
  if (!confirmed)
    throw new BadGatewayError(
      "The miner did not confirm the release",
      `The allocation stays releasing and is asked again every ${config().ALLOCATION_CHECK_S} s until the miner confirms (at most ${config().ALLOCATION_MAX_STRIKES} times)`,
    );
  return view;
}

export const DOCKER_ACTIONS = {
  restart: { done: "Resource restarted successfully.", failed: "Restart not successfully, please try again." },
  pause: { done: "Resource paused successfully.", failed: "Pause not successfully, please try again." },
  unpause: { done: "Resource unpaused successfully.", failed: "Unpause not successfully, please try again." },
  exchange_key: {
    done: "Resource ssh_key is exchanged successfully.",
    failed: "Exchange ssh_key not successfully, please try again.",
  },
} as const;
export type DockerAction = keyof typeof DOCKER_ACTIONS;

/** /service/restart_docker, pause_docker, unpause_docker, exchange_docker_key: the miner must confirm. */
export async function dockerAction(
  hotkey: string,
  uuid: string,
  action: DockerAction,
  key?: { ssh_key: string; key_type: "user" | "terminal" },
): Promise<{ message: string; view: AllocationView }> {
  const text = DOCKER_ACTIONS[action];
  const a = await heldBy(hotkey, uuid, text.failed, ["active", "paused"]);
  const axon = await axonOfAllocation(a);
  if (!axon) throw new BadGatewayError(text.failed, "The miner is not serving on the compute subnet");
  const r = await requireDendrite().call(
    axon,
    AllocateSynapse,
    {
      ...idleFields(),
      timeline: action === "exchange_key" ? 1 : 0,
      public_key: a.regkey,
      docker_change: true,
      docker_action: { action, ssh_key: key?.ssh_key ?? "", key_type: key?.key_type ?? "" },
    },
    { timeout: ALLOCATE_TIMEOUTS.action },
  );
  if (r.status !== 200) throw new BadGatewayError(text.failed, `The miner did not answer: ${r.status} ${r.message}`);
  if (r.response?.output?.status !== true) throw new BadRequestError(text.failed, "The miner refused the action");
  const data =
    action === "pause"
      ? { state: "paused" }
      : action === "unpause"
        ? { state: "active" }
        : action === "exchange_key" && key?.key_type === "user"
          ? { sshKey: key.ssh_key }
          : {};
  const row = await db().allocation.update({ where: { id: a.id }, data });
  return { message: text.done, view: viewOf(row) };
}

export type MinerStatus =
  | { hotkey: string; status: "Docker ONLINE" | "Docker OFFLINE" | "Miner NO_RESPONSE" | "Not Found" }
  | { hotkey: string; version: number };

/** /service/check_miner_status: asks each miner whether it is free (rented: "Docker ONLINE"). */
export async function checkMinerStatus(hotkeys: string[], queryVersion: boolean): Promise<MinerStatus[]> {
  const d = requireDendrite();
  const netuid = netuidOf("compute");
  const neurons = new Map((await listNeurons(netuid)).map((n) => [n.hotkey, n]));
  const axons = [...new Set(hotkeys)].map((h) => neurons.get(h)).flatMap((n) => (n && axonOf(n) ? [axonOf(n)!] : []));
  const results = await d.forward(
    axons,
    AllocateSynapse,
    { ...idleFields(), timeline: 1, checking: true },
    { timeout: 10, concurrency: CHECK_CONCURRENCY },
  );
  const byHotkey = new Map(results.map((r) => [r.axon.hotkey, r]));
  return hotkeys.map((hotkey): MinerStatus => {
    const r = byHotkey.get(hotkey);
    if (!r) return { hotkey, status: "Not Found" };
    if (queryVersion) return { hotkey, version: Number(r.axonInfo.version ?? 0) || 0 };
    if (r.status !== 200 || typeof r.response?.output?.status !== "boolean")
      return { hotkey, status: "Miner NO_RESPONSE" };
    return { hotkey, status: r.response.output.status ? "Docker OFFLINE" : "Docker ONLINE" };
  });
}

/**
 * /list/allocations_sql: live allocations; passwords only for `includeSecrets`, whole uuids only for `fullUuids`
 * (both the admin key's): another holder of the API key cannot act on a rental it did not make.
 */
export async function listAllocations(includeSecrets: boolean, fullUuids: boolean): Promise<AllocationView[]> {
  const rows = await db().allocation.findMany({
    where: customerRentalsWhere(netuidOf("compute")),
    orderBy: { id: "asc" },
  });
  if (!rows.length)
    throw new NotFoundError("No resources found.", "No allocated resources found. Allocate a resource with validator.");
  return rows.map((a) => viewOf(a, includeSecrets ? (unsealSecret(a.sshPassword) ?? "") : "", fullUuids));
}

/**
 * The allocation job: asks every rented miner whether the rental's container is running (a strike for each
 * failure, ONLINE/OFFLINE on change, released after ALLOCATION_MAX_STRIKES), ends expired rentals, and asks
 * again for releases the miner has not confirmed.
 */
export async function checkAllocations(
  now = new Date(),
): Promise<{ checked: number; offline: number; released: number }> {
  const d = dendrite();
  const out = { checked: 0, offline: 0, released: 0 };
  if (!d) return out;
  const c = config();
  const netuid = netuidOf("compute");
  // A claim still pending well past the Allocate deadline was cut off (the console stopped mid-allocation):
  // the miner may have rented, so it is released like any unconfirmed rental.
  await db().allocation.updateMany({
    where: { netuid, state: "pending", createdAt: { lt: new Date(now.getTime() - STALE_CLAIM_MS) } },
    data: { state: "releasing", reason: "interrupted: the console stopped before the miner's answer" },
  });
  const rows = await db().allocation.findMany({
    where: { netuid, state: { in: HELD_STATES.filter((s) => s !== "pending") } },
  });
  const live: Allocation[] = [];
  for (const a of rows) {
    if (a.state === "releasing") {
      const r = await release(a, a.reason?.split(";")[0] ?? "released", false);
      if (r.confirmed) out.released++;
      else if (a.strikes + 1 >= c.ALLOCATION_MAX_STRIKES) await giveUp(a, "the miner never confirmed the release");
    } else if (a.expiresAt && a.expiresAt <= now) {
      if ((await release(a, "the timeline ended", true)).confirmed) out.released++;
    } else live.push(a);
  }
  const axons = await axonsFor(
    netuid,
    live.map((a) => a.hotkey),
  );
  const byHotkey = new Map(axons.map((x) => [x.hotkey, x]));
  const targets = live.filter((a) => byHotkey.has(a.hotkey));
  const results = await d.forward(
    targets.map((a) => byHotkey.get(a.hotkey)!),
    AllocateSynapse,
    (_axon, i) => ({ ...idleFields(), checking: true, timeline: 0, public_key: targets[i].regkey }),
    { timeout: 10, concurrency: CHECK_CONCURRENCY },
  );
  const answers = new Map(results.map((r, i) => [targets[i].id, r]));
  for (const a of live) {
    out.checked++;
    const r = answers.get(a.id);
    // Paused: the container is stopped on purpose; an answer is enough.
    const ok = r?.status === 200 && (a.state === "paused" || r.response?.output?.status === true);
    const status = ok ? "ONLINE" : "OFFLINE";
    const strikes = ok ? 0 : a.strikes + 1;
    if (!ok) out.offline++;
    const updated = await db().allocation.update({
      where: { id: a.id },
      data: {
        checkedAt: now,
        strikes,
        status,
        ...(status !== a.status ? { statusChangedAt: now } : {}),
        ...(ok
          ? {}
          : {
              reason: r
                ? `check failed: ${r.status === 200 ? "the container is not running" : `${r.status} ${r.message}`}`
                : "check failed: the miner is not serving",
            }),
      },
    });
    if (status !== a.status) {
      log.info({ hotkey: a.hotkey, uuid: a.uuid, status }, "allocation status changed");
      await notify(status, a, now);
      await publish("allocation.status", { hotkey: a.hotkey, uuid: a.uuid, status, strikes });
    }
    if (strikes >= c.ALLOCATION_MAX_STRIKES) {
      const r2 = await release(updated, `${strikes} failed checks`, true);
      if (r2.confirmed) out.released++;
      else await giveUp(updated, `${strikes} failed checks; the miner did not answer the release`);
    }
  }
  await sampleInventory(netuid, now);
  return out;
}

async function giveUp(a: Allocation, reason: string): Promise<void> {
  const fresh = await db().allocation.findUniqueOrThrow({ where: { id: a.id } });
  await ended(fresh, reason);
  log.warn({ hotkey: a.hotkey, uuid: a.uuid, reason }, "allocation ended without the miner's confirmation");
}

/** For the dashboard's forms: an allocation by uuid, or 404. */
export async function allocationByUuid(uuid: string): Promise<Allocation> {
  const a = await db().allocation.findUnique({ where: { uuid } });
  if (!a) throw new NotFoundError("No such allocation");
  return a;
}
