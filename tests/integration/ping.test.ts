/** The ping job: every serving axon of the metagraph gets a signed /Synapse; the outcome is stored per miner. */
import { Keyring } from "@polkadot/keyring";
import { expect, it } from "vitest";
import { Axon, validatorsOnly } from "@/server/bittensor";
import { consoleHotkey } from "@/server/bittensor/identity";
import { lastPings, pingMiners } from "@/server/network/ping";
import { findNeuron, invalidateNeurons } from "@/server/chain";
import { inProcessRuntime } from "../support/in-process";
import { freePort } from "../support/ports";

const rt = inProcessRuntime({ NETUID: "7", VALIDATOR_HOTKEY_SEED: "//PingValidator" });
const axons: Axon[] = [];

it("stores each miner's answer: round-trip time and valid signature, refusal, or unreachable", async () => {
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const validator = consoleHotkey()!;
  const [up, picky, down, none] = ["//PingUp", "//PingPicky", "//PingDown", "//PingNone"].map((u) =>
    keyring.addFromUri(u),
  );
  const serve = async (a: Axon) => (axons.push(a), rt.stops.push(() => a.close()), a.listen(0));
  const upPort = await serve(
    new Axon({ signer: up, blacklist: validatorsOnly(async (h) => (await findNeuron(h))?.validatorPermit ?? false) }),
  );
  const pickyPort = await serve(new Axon({ signer: picky, blacklist: validatorsOnly(() => false) }));
  const downPort = await freePort();

  const neurons = [
    { hotkey: validator.address, validatorPermit: true, axonIp: null, axonPort: null },
    { hotkey: up.address, validatorPermit: false, axonIp: "127.0.0.1", axonPort: upPort },
    { hotkey: picky.address, validatorPermit: false, axonIp: "127.0.0.1", axonPort: pickyPort },
    { hotkey: down.address, validatorPermit: false, axonIp: "127.0.0.1", axonPort: downPort },
    { hotkey: none.address, validatorPermit: false, axonIp: "0.0.0.0", axonPort: 0 },
  ];
  for (const [uid, n] of neurons.entries())
    await rt.db.neuron.create({ data: { netuid: 7, uid, coldkey: n.hotkey, stake: "0", ...n } });
  invalidateNeurons();

  expect(await pingMiners()).toEqual({ pinged: 3, ok: 1 });
  const pings = await lastPings(7);
  expect(pings.get(up.address)).toMatchObject({ status: 200, signatureValid: true, port: upPort });
  expect(pings.get(up.address)!.lastOkAt).toBeInstanceOf(Date);
  expect(pings.get(picky.address)).toMatchObject({ status: 403, lastOkAt: null });
  expect(pings.get(picky.address)!.message).toMatch(/is not a registered validator/);
  expect(pings.get(down.address)).toMatchObject({ status: 503, lastOkAt: null });
  expect(pings.has(none.address)).toBe(false);

  // A miner that goes down keeps the last time it answered.
  await axons[0].close();
  await pingMiners();
  const later = (await lastPings(7)).get(up.address)!;
  expect(later.status).toBe(503);
  expect(later.lastOkAt).toEqual(pings.get(up.address)!.lastOkAt);
});
