/**
 * Miners over the wire, end to end: an operator's own axon registered on the devnet with
 * DEVNET_MINER_AXONS on its role's subnet is pinged by the console's dendrite; per-role subnets; wallets.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/server/db";
import { Axon } from "@/server/bittensor";
import { neuronsPerSubnet, queryDatabase } from "../support/db";
import { ROOT, signIn, startServer, trpc, type RunningServer } from "../support/server";

let server: RunningServer;
let axon: Axon;
let outside: string;
const callers: string[] = [];

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
  const pair = keyring.addFromUri("//OperatorsOwnMiner");
  outside = pair.address;
  // The operator's miner admits anyone, and notes who called.
  axon = new Axon({ signer: pair, blacklist: (hotkey) => (callers.push(hotkey), null) });
  const port = await axon.listen(0);
  server = await startServer({
    VALIDATOR_NETUID: "3",
    SEARCH_NETUID: "22",
    DEVNET_MINER_AXONS: `search:${outside}@127.0.0.1:${port}`,
    MINER_PING_S: "1",
    DEVNET_MINERS: "2",
  });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await axon?.close();
});

describe("miners over the wire on the devnet", () => {
  it("an operator's own axon is registered on its role's subnet and pinged by the console's signed dendrite", async () => {
    const validator = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//devnet-validator").address;
    await expect.poll(() => callers.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(new Set(callers)).toEqual(new Set([validator]));
    await expect
      .poll(
        async () =>
          queryDatabase<{ netuid: number; status: number; signatureValid: unknown }>(
            server.databaseUrl,
            Prisma.sql`SELECT "netuid", "status", "signatureValid" FROM "AxonPing" WHERE "hotkey" = ${outside}`,
          ),
        { timeout: 20_000 },
      )
      .toEqual([{ netuid: 22, status: 200, signatureValid: expect.anything() }]);
    const neurons = await neuronsPerSubnet(server.databaseUrl);
    // Subnet 1 (owner): the validator; 3: the validator, 2 devnet miners, the one that is down; 22: the
    // validator and the operator's miner; 27 (compute, the devnet's default): the validator and 8 machines.
    expect(neurons).toEqual([
      [1, 1],
      [3, 4],
      [22, 2],
      [27, 9],
    ]);
  });

  it("the validator pages are about the validator's subnet", async () => {
    const admin = (await signIn(server.url, "admin", "test-admin-password"))!;
    const settings = await trpc(server.url, "system.settings", undefined, admin, "query");
    expect(settings.status).toBe(200);
    expect(JSON.stringify(settings.body)).toContain('"netuids":{"owner":1,"validator":3,"search":22,"compute":27}');
    const miners = await trpc(server.url, "validator.miners", undefined, admin, "query");
    const hotkeys = JSON.stringify(miners.body);
    expect(hotkeys).not.toContain(outside); // a search miner is not a validator-API miner
  });
});

describe("wallets", () => {
  it("a wallet that cannot be read stops the start with one clear line", () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), "server/main.ts"], {
      cwd: ROOT,
      env: {
        ...process.env,
        WALLET_PATH: "/nonexistent/wallets",
        WALLET_NAME: "validator",
        WALLET_HOTKEY: "hk1",
        PORT: "3999",
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      "hotkey file /nonexistent/wallets/validator/hotkeys/hk1 not found (WALLET_PATH, WALLET_NAME, WALLET_HOTKEY)",
    );
  });
});
