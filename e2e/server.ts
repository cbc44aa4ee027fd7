/** The product as the browser tests see it: fresh database, fast blocks, known admin password. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase } from "../tests/support/server";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";

async function main() {
  const url = process.env.TEST_DATABASE_URL ? await createTestDatabase(process.env.TEST_DATABASE_URL) : undefined;
  await cryptoWaitReady();
  Object.assign(process.env, {
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: process.env.E2E_PORT ?? "3310",
    HOST: "127.0.0.1",
    DATABASE_URL: url ?? `file:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), "console-e2e-")), "console.db")}`,
    ADMIN_PASSWORD: "e2e-admin-password",
    // The wallet used by the wallet sign-in test is an admin hotkey.
    ADMIN_HOTKEYS: new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//E2EAdmin").address,
    BLOCK_TIME_MS: "1000",
    // A weights cycle every 15 blocks: commits reveal on the devnet chain within the tests.
    WEIGHTS_INTERVAL_BLOCKS: "15",
    MINER_PING_S: "2",
    // Proof of GPU rounds only when a test starts one (they rent machines the other tests use).
    POG_INTERVAL_BLOCKS: "100000",
    // Two machines checked at once: the devnet's machines run their programs at the lowest priority on this
    // computer, and eight at once on a busy one can take longer than the compute step's 5 s floor.
    POG_CONCURRENCY: "2",
    SIM_START_BLOCK: "54315",
    BOOTSTRAP_PEERS: "/ip4/203.0.113.1/tcp/4001/p2p/QmPeerID1",
    LOG_LEVEL: "warn",
    MODELS_DIR: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "console-e2e-models-")), "models"),
  });
  await import("../server/main");
}

void main();
