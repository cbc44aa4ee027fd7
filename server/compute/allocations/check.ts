/** The allocation job (each rental's health, expiry, unconfirmed releases) and the miners' status check. */
import { listNeurons } from "../../chain";
import { axonOf, dendrite } from "../../bittensor";
import { db, type Allocation } from "../../db";
import { config, netuidOf } from "../../env";
import { log } from "../../log";
import { HELD_STATES } from "../forms";
import { publish } from "../events";
import { sampleInventory } from "../samples";
import { ALLOCATE_TIMEOUTS, AllocateSynapse } from "../protocol";
import { notify } from "../webhooks";
import { idleFields, axonsFor, CHECK_CONCURRENCY, computeDendrite } from "./wire";
import { release, giveUp } from "./release";
import { computeConfig } from "../config";

/** How old a `pending` claim is when no allocation can still be waiting for its miner's answer. */
const STALE_CLAIM_MS = (ALLOCATE_TIMEOUTS.allocate + 60) * 1000;

export type MinerStatus =
  | { hotkey: string; status: "Docker ONLINE" | "Docker OFFLINE" | "Miner NO_RESPONSE" | "Not Found" }
  | { hotkey: string; version: number };

/** /service/check_miner_status: asks each miner whether it is free (rented: "Docker ONLINE"). */
export async function checkMinerStatus(hotkeys: string[], queryVersion: boolean): Promise<MinerStatus[]> {
  const d = computeDendrite();
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
      else if (a.strikes + 1 >= computeConfig().ALLOCATION_MAX_STRIKES)
        await giveUp(a, "the miner never confirmed the release");
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
    if (strikes >= computeConfig().ALLOCATION_MAX_STRIKES) {
      const r2 = await release(updated, `${strikes} failed checks`, true);
      if (r2.confirmed) out.released++;
      else await giveUp(updated, `${strikes} failed checks; the miner did not answer the release`);
    }
  }
  await sampleInventory(netuid, now);
  return out;
}
