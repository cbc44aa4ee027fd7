import { db } from "../db";
import { netuidOf } from "../env";
import { heldHotkeys } from "./market";

/** Overview's "are my GPUs working?": machines and GPUs by what they are doing, and Proof of GPU. */
export async function computeHealth() {
  const netuid = netuidOf("compute");
  const [machines, held, latestRuns] = await Promise.all([
    db().computeMiner.findMany({ where: { netuid }, select: { hotkey: true, state: true, gpuCount: true } }),
    // Customers' rentals and Proof of GPU's own (the machines being verified) apart.
    heldHotkeys(netuid),
    // The latest Proof of GPU run of each machine.
    db().pogRun.findMany({
      where: { netuid, finishedAt: { not: null } },
      orderBy: { id: "desc" },
      distinct: ["hotkey"],
      select: { hotkey: true, passed: true },
    }),
  ]);
  const reported = machines.filter((m) => m.state === "reported");
  const rentedKeys = held.rented;
  const gpus = (list: typeof machines) => list.reduce((n, m) => n + m.gpuCount, 0);
  return {
    machines: machines.length,
    reporting: reported.length,
    gpusFree: gpus(reported.filter((m) => !rentedKeys.has(m.hotkey) && !held.verifying.has(m.hotkey))),
    gpusRented: gpus(machines.filter((m) => rentedKeys.has(m.hotkey))),
    rentals: rentedKeys.size,
    verifying: held.verifying.size,
    pogPassed: latestRuns.filter((r) => r.passed).length,
    pogFailed: latestRuns.filter((r) => !r.passed).length,
  };
}
