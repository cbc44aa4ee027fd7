import { db } from "../db";
import { netuidOf } from "../env";

/** Overview's "are my GPUs working?": machines and GPUs by what they are doing, and Proof of GPU. */
export async function computeHealth() {
  const netuid = netuidOf("compute");
  const hourAgo = new Date(Date.now() - 3_600_000);
  const [machines, rented, verifying, latestRuns] = await Promise.all([
    db().computeMiner.findMany({ where: { netuid }, select: { hotkey: true, state: true, gpuCount: true } }),
    db().allocation.findMany({ where: { netuid, live: { not: null } }, select: { hotkey: true } }),
    db().pogRun.count({ where: { netuid, finishedAt: null, startedAt: { gte: hourAgo } } }),
    // The latest Proof of GPU run of each machine.
    db().pogRun.findMany({
      where: { netuid, finishedAt: { not: null } },
      orderBy: { id: "desc" },
      distinct: ["hotkey"],
      select: { hotkey: true, passed: true },
    }),
  ]);
  const reported = machines.filter((m) => m.state === "reported");
  const rentedKeys = new Set(rented.map((r) => r.hotkey));
  const gpus = (list: typeof machines) => list.reduce((n, m) => n + m.gpuCount, 0);
  return {
    machines: machines.length,
    reporting: reported.length,
    gpusFree: gpus(reported.filter((m) => !rentedKeys.has(m.hotkey))),
    gpusRented: gpus(machines.filter((m) => rentedKeys.has(m.hotkey))),
    rentals: rented.length,
    verifying,
    pogPassed: latestRuns.filter((r) => r.passed).length,
    pogFailed: latestRuns.filter((r) => !r.passed).length,
  };
}
