/** Allocations as the API shows them, and the lookups every action starts from. */
import { unsealSecret } from "../../auth/secrets";
import { db, type Allocation } from "../../db";
import { netuidOf } from "../../env";
import { BadRequestError, NotFoundError } from "../../errors";
import { type AllocationState } from "../forms";
import { customerRentalsWhere, POG_RENTER } from "../market";

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

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The allocation a hotkey + uuid_key pair names (404 no live allocation, 400 wrong uuid, as upstream). */
export async function heldBy(
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

/** For the dashboard's forms: an allocation by uuid, or 404. */
export async function allocationByUuid(uuid: string): Promise<Allocation> {
  const a = await db().allocation.findUnique({ where: { uuid } });
  if (!a) throw new NotFoundError("No such allocation");
  return a;
}
