import { db } from "../db";
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

export async function setAssignment(hotkey: string, expertGroup: number, by: string) {
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
