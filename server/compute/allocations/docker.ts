/** A renter's docker actions on its rental (restart, pause, unpause, exchange key): the miner must confirm. */
import { db } from "../../db";
import { BadGatewayError, BadRequestError } from "../../errors";
import { ALLOCATE_TIMEOUTS, AllocateSynapse } from "../protocol";
import { computeDendrite, idleFields, axonOfAllocation } from "./wire";
import { heldBy, viewOf, type AllocationView } from "./lookup";

export const DOCKER_ACTIONS = {
  restart: { done: "Resource restarted successfully.", failed: "Restart not successfully, please try again." },
  pause: { done: "Resource paused successfully.", failed: "Pause not successfully, please try again." },
  unpause: { done: "Resource unpaused successfully.", failed: "Unpause not successfully, please try again." },
  exchange_key: {
    done: "Resource ssh_key is exchanged successfully.",
    failed: "Exchange ssh_key not successfully, please try again.",
  },
} as const;

export type DockerAction = keyof typeof DOCKER_ACTIONS;

/** /service/restart_docker, pause_docker, unpause_docker, exchange_docker_key: the miner must confirm. */
export async function dockerAction(
  hotkey: string,
  uuid: string,
  action: DockerAction,
  key?: { ssh_key: string; key_type: "user" | "terminal" },
): Promise<{ message: string; view: AllocationView }> {
  const text = DOCKER_ACTIONS[action];
  const a = await heldBy(hotkey, uuid, text.failed, ["active", "paused"]);
  const axon = await axonOfAllocation(a);
  if (!axon) throw new BadGatewayError(text.failed, "The miner is not serving on the compute subnet");
  const r = await computeDendrite().call(
    axon,
    AllocateSynapse,
    {
      ...idleFields(),
      timeline: action === "exchange_key" ? 1 : 0,
      public_key: a.regkey,
      docker_change: true,
      docker_action: { action, ssh_key: key?.ssh_key ?? "", key_type: key?.key_type ?? "" },
    },
    { timeout: ALLOCATE_TIMEOUTS.action },
  );
  if (r.status !== 200) throw new BadGatewayError(text.failed, `The miner did not answer: ${r.status} ${r.message}`);
  if (r.response?.output?.status !== true) throw new BadRequestError(text.failed, "The miner refused the action");
  const data =
    action === "pause"
      ? { state: "paused" }
      : action === "unpause"
        ? { state: "active" }
        : action === "exchange_key" && key?.key_type === "user"
          ? { sshKey: key.ssh_key }
          : {};
  const row = await db().allocation.update({ where: { id: a.id }, data });
  return { message: text.done, view: viewOf(row) };
}
