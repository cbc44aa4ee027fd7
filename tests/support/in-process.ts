/** The server's shared layers in this test process: a fresh database, the given environment, and a clean teardown. */
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll } from "vitest";
import { invalidateNeurons } from "@/server/chain";
import { closeDendrites, consoleHotkey, dendrite, streamDendrite } from "@/server/bittensor";
import { db as dbOf, type Db } from "@/server/db";
import { config } from "@/server/env";
import { freshDb } from "./db";

export function inProcessRuntime(env: Record<string, string>): { db: Db; stops: Array<() => Promise<void>> } {
  const saved = { ...process.env };
  const state = { db: undefined as unknown as Db, stops: [] as Array<() => Promise<void>> };
  const forget = () => [config, consoleHotkey, dendrite, streamDendrite].forEach((l) => l.set(undefined));
  beforeAll(async () => {
    await cryptoWaitReady();
    const fresh = await freshDb();
    state.db = fresh.db;
    Object.assign(process.env, { DATABASE_URL: fresh.url, DEVNET: "0", ...env });
    forget();
    dbOf.set(state.db);
  });
  afterAll(async () => {
    for (const stop of state.stops.reverse()) await stop();
    closeDendrites();
    dbOf.set(undefined);
    forget();
    process.env = saved;
    await state.db?.$disconnect();
  });
  return state;
}

/**
 * Registers this console's hotkey as the subnet's validator and the given axons as its miners (loopback),
 * in the metagraph the dendrite reads.
 */
export async function registerAxons(db: Db, netuid: number, axons: Array<{ hotkey: string; port: number }>) {
  const neurons = [
    { hotkey: consoleHotkey()!.address, validatorPermit: true, axonIp: null, axonPort: null },
    ...axons.map((a) => ({ hotkey: a.hotkey, validatorPermit: false, axonIp: "127.0.0.1", axonPort: a.port })),
  ];
  for (const [uid, n] of neurons.entries())
    await db.neuron.create({ data: { netuid, uid, coldkey: n.hotkey, stake: "0", ...n } });
  invalidateNeurons();
}
