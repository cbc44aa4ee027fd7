/** GPUs on offer over time: a sample after each inventory run and allocation check (kept 30 days). */
import { db } from "../db";
import { heldHotkeys } from "./market";

const KEEP_MS = 30 * 86_400_000;

export async function sampleInventory(netuid: number, at = new Date()): Promise<void> {
  const [machines, held] = await Promise.all([
    db().computeMiner.findMany({
      where: { netuid, state: "reported", gpuCount: { gt: 0 } },
      select: { hotkey: true, gpuCount: true },
    }),
    heldHotkeys(netuid),
  ]);
  // Reserved: rented by customers or being verified (either way not free to rent).
  const reserved = new Set([...held.rented, ...held.verifying]);
  await db().inventorySample.create({
    data: {
      netuid,
      at,
      machines: machines.length,
      gpus: machines.reduce((n, m) => n + m.gpuCount, 0),
      gpusReserved: machines.reduce((n, m) => n + (reserved.has(m.hotkey) ? m.gpuCount : 0), 0),
    },
  });
  await db().inventorySample.deleteMany({ where: { netuid, at: { lt: new Date(at.getTime() - KEEP_MS) } } });
}
