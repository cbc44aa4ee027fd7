/** Ending rentals: the miner confirms, or the rental stays releasing and is asked again. */
import type { CallResult } from "../../bittensor";
import { db, type Allocation } from "../../db";
import { config } from "../../env";
import { BadGatewayError } from "../../errors";
import { log } from "../../log";
import { publish } from "../events";
import { ALLOCATE_TIMEOUTS, AllocateSynapse } from "../protocol";
import { notify } from "../webhooks";
import { POG_RENTER } from "../market";
import { computeDendrite, idleFields, axonOfAllocation } from "./wire";
import { heldBy, viewOf, type AllocationView } from "./lookup";
import { computeConfig } from "../config";

/** Asks the miner to let go (only the allocation's key can). True when the miner answered. */
async function askRelease(a: Allocation): Promise<CallResult<typeof AllocateSynapse> | null> {
  const axon = await axonOfAllocation(a);
  if (!axon) return null;
  return computeDendrite().call(
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
      `The allocation stays releasing and is asked again every ${computeConfig().ALLOCATION_CHECK_S} s until the miner confirms (at most ${computeConfig().ALLOCATION_MAX_STRIKES} times)`,
    );
  return view;
}

export async function giveUp(a: Allocation, reason: string): Promise<void> {
  const fresh = await db().allocation.findUniqueOrThrow({ where: { id: a.id } });
  await ended(fresh, reason);
  log.warn({ hotkey: a.hotkey, uuid: a.uuid, reason }, "allocation ended without the miner's confirmation");
}
