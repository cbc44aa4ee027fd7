/** The GPU inventory from miners' Specs over the wire: units, invalid reports, unknown and unreachable miners, history. */
import { Keyring } from "@polkadot/keyring";
import { expect, it } from "vitest";
import { Axon, consoleHotkey } from "@/server/bittensor";
import { findNeuron, invalidateNeurons } from "@/server/chain";
import { SpecsSynapse } from "@/server/compute/protocol";
import { refreshInventory } from "@/server/compute/inventory";
import { DEVNET_MACHINES, DevnetComputeMiner } from "@/server/devnet/compute-miner";
import { inProcessRuntime } from "../support/in-process";
import { freePort } from "../support/ports";

const NETUID = 27;
const rt = inProcessRuntime({ NETUID: String(NETUID), VALIDATOR_HOTKEY_SEED: "//InventoryValidator" });

it("keeps what each miner reports, in upstream's units, and says why the others are not listed", async () => {
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const registered = async (h: string) => !!(await findNeuron(h, NETUID));
  const [h100, cpu, rtx] = [DEVNET_MACHINES[0], DEVNET_MACHINES[5], DEVNET_MACHINES[2]].map(
    (m, i) => new DevnetComputeMiner(keyring.addFromUri(`//InvMiner-${i}`), { ...m }, registered),
  );
  for (const m of [h100, cpu, rtx]) {
    await m.start();
    rt.stops.push(() => m.stop());
  }
  // A miner whose report cannot be true, one that does not serve Specs, one that is down.
  const liar = keyring.addFromUri("//InvLiar");
  const liarAxon = new Axon({ signer: liar }).attach(SpecsSynapse, () => ({
    specs_output: JSON.stringify({
      cpu: { count: 8 },
      gpu: { count: 0, capacity: 0, details: [{ name: "NVIDIA B200", capacity: 1 }] },
      hard_disk: { total: 1, free: 1 },
      ram: { total: 1, available: 1 },
    }),
  }));
  const liarPort = await liarAxon.listen(0);
  rt.stops.push(() => liarAxon.close());
  const old = keyring.addFromUri("//InvOld");
  const oldAxon = new Axon({ signer: old });
  const oldPort = await oldAxon.listen(0);
  rt.stops.push(() => oldAxon.close());
  const down = keyring.addFromUri("//InvDown");
  const downPort = await freePort();

  const validator = consoleHotkey()!;
  const neurons = [
    { hotkey: validator.address, validatorPermit: true, axonIp: null, axonPort: null },
    ...[h100, cpu, rtx].map((m) => ({
      hotkey: m.hotkey,
      validatorPermit: false,
      axonIp: "127.0.0.1",
      axonPort: m.port,
    })),
    { hotkey: liar.address, validatorPermit: false, axonIp: "127.0.0.1", axonPort: liarPort },
    { hotkey: old.address, validatorPermit: false, axonIp: "127.0.0.1", axonPort: oldPort },
    { hotkey: down.address, validatorPermit: false, axonIp: "127.0.0.1", axonPort: downPort },
  ];
  for (const [uid, n] of neurons.entries())
    await rt.db.neuron.create({ data: { netuid: NETUID, uid, coldkey: n.hotkey, stake: "0", ...n } });
  invalidateNeurons();

  expect(await refreshInventory(NETUID)).toEqual({ reported: 3, invalid: 1, unknown: 1, unreachable: 1 });
  const row = (h: string) =>
    rt.db.computeMiner.findUniqueOrThrow({ where: { netuid_hotkey: { netuid: NETUID, hotkey: h } } });
  expect(await row(h100.hotkey)).toMatchObject({
    state: "reported",
    gpuName: "nvidia h100 80gb hbm3", // lower case, as upstream lists it
    gpuCount: 8,
    gpuCapacityGib: 637.18, // 8 x 81559 MiB
    cpuCount: 192,
    ramGib: 1843.2, // 90 % of 2 TiB available
    diskGib: 24000, // 80 % of 30,000 GiB free
  });
  expect(await row(cpu.hotkey)).toMatchObject({ state: "reported", gpuName: null, gpuCount: 0 });
  expect(await row(liar.address)).toMatchObject({
    state: "invalid",
    reason: '0 GPUs but a GPU named "NVIDIA B200"',
    gpuCount: 0,
  });
  expect(await row(old.address)).toMatchObject({ state: "unknown", reason: "does not serve Specs" });
  expect((await row(down.address)).state).toBe("unreachable");

  // Unchanged reports add no history; a change does; a miner that goes down keeps its last report.
  await refreshInventory(NETUID);
  expect(await rt.db.specsReport.count({ where: { hotkey: rtx.hotkey } })).toBe(1);
  rtx.machine.ramGib = 256;
  await refreshInventory(NETUID);
  expect(await rt.db.specsReport.count({ where: { hotkey: rtx.hotkey } })).toBe(2);
  expect((await row(rtx.hotkey)).ramGib).toBe(230.4);
  await rtx.stop();
  await refreshInventory(NETUID);
  expect(await row(rtx.hotkey)).toMatchObject({
    state: "unreachable",
    gpuName: "nvidia geforce rtx 4090",
    ramGib: 230.4,
  });
});
