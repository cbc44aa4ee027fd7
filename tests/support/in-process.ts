/** The server's shared layers in this test process: a fresh database, the given environment, and a clean teardown. */
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll } from "vitest";
import { consoleHotkey } from "@/server/bittensor/identity";
import { dendrite } from "@/server/bittensor/ping";
import { db as dbOf, type Db } from "@/server/db";
import { config } from "@/server/env";
import { freshDb } from "./db";

export function inProcessRuntime(env: Record<string, string>): { db: Db; stops: Array<() => Promise<void>> } {
  const saved = { ...process.env };
  const state = { db: undefined as unknown as Db, stops: [] as Array<() => Promise<void>> };
  const forget = () => [config, consoleHotkey, dendrite].forEach((l) => l.set(undefined));
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
    dendrite.peek()?.close();
    dbOf.set(undefined);
    forget();
    process.env = saved;
    await state.db?.$disconnect();
  });
  return state;
}
