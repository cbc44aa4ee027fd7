import { findNeuron } from "../chain";
import { db } from "../db";
import { netuidOf } from "../env";
import { ConflictError, UnavailableError, ValidationError } from "../errors";
import { currentVersion } from "../models";
import { loadedCache } from "../cache";

/** Miner-to-group assignments, read on every download and submission: kept in memory. */
const cache = loadedCache(5000, async () => new Map((await listAssignments()).map((a) => [a.hotkey, a.expertGroup])));

export async function listAssignments() {
  return db().minerAssignment.findMany({ orderBy: [{ expertGroup: "asc" }, { hotkey: "asc" }] });
}

/** The group an admin assigned to `hotkey`, or null. */
export async function assignedGroup(hotkey: string): Promise<number | null> {
  return (await cache.get()).get(hotkey) ?? null;
}

/**
 * Assigns `hotkey` to `expertGroup`. The group must exist in the served model; a hotkey that is not
 * registered on the subnet is refused (409) unless the admin confirmed it (`allowUnregistered`).
 */
export async function setAssignment(hotkey: string, expertGroup: number, by: string, allowUnregistered = false) {
  const version = currentVersion();
  if (!version) throw new UnavailableError("No model is served yet: publish one before assigning groups");
  const groups = version.catalog.groups.length;
  if (!version.catalog.groups.some((g) => g.id === expertGroup))
    throw new ValidationError(`Group ${expertGroup} does not exist in ${version.name} (groups 0–${groups - 1})`, [
      { field: "expertGroup", message: `must be one of the served model's groups, 0–${groups - 1}` },
    ]);
  if (!allowUnregistered && !(await findNeuron(hotkey, netuidOf("validator"))))
    throw new ConflictError(
      `${hotkey} is not registered on subnet ${netuidOf("validator")}: confirm to assign it anyway`,
    );
  await db().minerAssignment.upsert({
    where: { hotkey },
    create: { hotkey, expertGroup, assignedBy: by },
    update: { expertGroup, assignedBy: by },
  });
  cache.invalidate();
  return listAssignments();
}

export async function removeAssignment(hotkey: string) {
  await db().minerAssignment.deleteMany({ where: { hotkey } });
  cache.invalidate();
  return listAssignments();
}
