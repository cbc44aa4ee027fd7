/**
 * Renting compute miners (SN27's allocation flow): candidates by spec from the marketplace, a free check over
 * the wire, then `Allocate` on the first free one with a fresh RSA-2048 key; the miner seals the SSH
 * credentials to it. A miner is held by at most one allocation: the claim is a row whose `live` column is
 * unique, so the database decides races on SQLite and Postgres alike. Passwords are stored sealed.
 */
import { randomUUID } from "node:crypto";
import { sealSecret } from "../../auth/secrets";
import type { AxonInfo } from "../../bittensor";
import { db, isUniqueViolation } from "../../db";
import { netuidOf } from "../../env";
import { BadGatewayError, BadRequestError, NotFoundError } from "../../errors";
import { lazy } from "../../global";
import { log } from "../../log";
import { type DeviceRequirement, type DockerRequirement } from "../forms";
import { publish } from "../events";
import { ALLOCATE_TIMEOUTS, AllocateSynapse } from "../protocol";
import { allocationKeys, openCredentials, SealError } from "../sealing";
import { matchSpec, noMatchReason, POG_RENTER } from "../market";
import {
  computeDendrite,
  wireRequirement,
  axonsFor,
  idleFields,
  CHECK_CONCURRENCY,
  GIB,
  type AllocateFields,
} from "./wire";
import { viewOf, type AllocationView } from "./lookup";

/** What allocate_hotkey rents when the caller gives no image (upstream's choice). */
export const HOTKEY_BASE_IMAGE = "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime";

export const HOTKEY_TIMELINE_DAYS = 30;

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
  const r = await computeDendrite().call(axon, AllocateSynapse, fields, { timeout: ALLOCATE_TIMEOUTS.allocate });
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
  const d = computeDendrite();
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

/**
 * Proof of GPU's own rentals share one key pair per process: a fresh RSA-2048 key costs about 170 ms of CPU,
 * and a round rents every idle machine. Customers' rentals each get their own.
 */
const proofOfGpuKeys = lazy(() =>
  allocationKeys().catch((e: unknown) => {
    proofOfGpuKeys.set(undefined);
    throw e;
  }),
);

/** /service/allocate_hotkey: one named miner (upstream: 30 days, any GPU, its pytorch image by default). */
export async function allocateHotkey(
  hotkey: string,
  docker: DockerRequirement,
  by = "api",
  timelineDays = HOTKEY_TIMELINE_DAYS,
): Promise<AllocationView> {
  if (!hotkey) throw new BadRequestError("Invalid allocation request", "Invalid hotkey, please check the hotkey");
  computeDendrite();
  const netuid = netuidOf("compute");
  const keys = by === POG_RENTER ? proofOfGpuKeys() : allocationKeys();
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
