import { db } from "../db";
import { processSingleton } from "../global";

/** Miner-to-group assignments, read on every download and submission: kept in memory (5 s at most stale). */
const cache = processSingleton("assignment-cache", () => ({ map: null as Map<string, number> | null, loadedAt: 0 }));

export async function listAssignments() {
  return db().minerAssignment.findMany({ orderBy: [{ expertGroup: "asc" }, { hotkey: "asc" }] });
}

/** The group an admin assigned to `hotkey`, or null. */
export async function assignedGroup(hotkey: string): Promise<number | null> {
  if (!cache.map || Date.now() - cache.loadedAt > 5000) {
    cache.map = new Map((await listAssignments()).map((a) => [a.hotkey, a.expertGroup]));
    cache.loadedAt = Date.now();
  }
  return cache.map.get(hotkey) ?? null;
}

export async function setAssignment(hotkey: string, expertGroup: number, by: string) {
  await db().minerAssignment.upsert({ where: { hotkey }, create: { hotkey, expertGroup, assignedBy: by }, update: { expertGroup, assignedBy: by } });
  cache.map = null;
  return listAssignments();
}

export async function removeAssignment(hotkey: string) {
  await db().minerAssignment.deleteMany({ where: { hotkey } });
  cache.map = null;
  return listAssignments();
}
