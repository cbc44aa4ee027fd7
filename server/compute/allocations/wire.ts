/** The console's calls to compute miners: its dendrite, miners' axons, upstream's wire shapes. */
import { listNeurons } from "../../chain";
import { axonOf, dendrite, requireDendrite, type AxonInfo, type RequestOf } from "../../bittensor";
import { type Allocation } from "../../db";
import { type DeviceRequirement } from "../forms";
import { AllocateSynapse } from "../protocol";

export const GIB = 1024 ** 3;

export const CHECK_CONCURRENCY = 32;

export type AllocateFields = RequestOf<typeof AllocateSynapse>;

/** The console's dendrite for calls to miners, or 503 when it has no hotkey. */
export const computeDendrite = () => requireDendrite(dendrite());

/** Upstream's device_requirement on the wire: bytes for disk and RAM, MB for GPU memory. */
export function wireRequirement(req: DeviceRequirement): Record<string, unknown> {
  const gpu =
    req.gpu_type !== "" && req.gpu_size !== 0 ? { count: 1, capacity: req.gpu_size * 1000, type: req.gpu_type } : {};
  return {
    cpu: { count: req.cpu_count },
    gpu,
    hard_disk: { capacity: req.hard_disk * GIB },
    ram: { capacity: req.ram * GIB },
  };
}

export async function axonsFor(netuid: number, hotkeys: string[]): Promise<AxonInfo[]> {
  const byHotkey = new Map((await listNeurons(netuid)).map((n) => [n.hotkey, n]));
  return hotkeys.map((h) => byHotkey.get(h)).flatMap((n) => (n ? [axonOf(n)].filter((a): a is AxonInfo => !!a) : []));
}

export function idleFields(): AllocateFields {
  return {
    timeline: 0,
    device_requirement: {},
    checking: false,
    public_key: "",
    docker_requirement: { base_image: "ubuntu", ssh_key: "", ssh_port: 4444, volume_path: "/tmp", dockerfile: "" },
    docker_change: false,
    docker_action: { action: "", ssh_key: "", key_type: "" },
  };
}

export async function axonOfAllocation(a: Allocation): Promise<AxonInfo | null> {
  const [axon] = await axonsFor(a.netuid, [a.hotkey]);
  return axon ?? null;
}
