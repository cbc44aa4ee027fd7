/**
 * The devnet as a process of its own: `npm run devnet` alone with a second console on its chain, and the
 * console's own devnet supervised (restarted when it dies, gone when the console stops).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { neuronsPerSubnet } from "../support/db";
import { freePort } from "../support/ports";
import { ROOT, startServer, type RunningServer } from "../support/server";

const phaseBlock = async (url: string) => ((await (await fetch(`${url}/get_phase`)).json()) as { block: number }).block;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function devnetChild(consolePid: number): number | null {
  try {
    const out = execFileSync("pgrep", ["-P", String(consolePid), "-f", "devnet/process.ts"], { encoding: "utf8" });
    return Number(out.trim().split("\n")[0]) || null;
  } catch {
    return null;
  }
}

beforeAll(async () => {
  await cryptoWaitReady();
});

describe("npm run devnet, alone", () => {
  let devnet: ChildProcess;
  let output = "";
  let chainPort: number;
  let consoleOnIt: RunningServer | undefined;

  beforeAll(async () => {
    devnet = spawn(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "server/devnet/process.ts")], {
      cwd: ROOT,
      env: {
        ...process.env,
        // The system picks the chain's port (one picked here could be taken by another test before the devnet binds it).
        DEVNET_PORT: "0",
        PORT: String(await freePort()),
        BLOCK_TIME_MS: "500",
        DEVNET_MINERS: "1",
        DEVNET_COMPUTE_MINERS: "1",
        DEVNET_SEARCH_MINERS: "0",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    devnet.stdout!.on("data", (d) => (output += d));
    devnet.stderr!.on("data", (d) => (output += d));
    const deadline = Date.now() + 60_000;
    while (!/Subnet 27/.test(output)) {
      if (Date.now() > deadline || devnet.exitCode !== null) throw new Error(`the devnet did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    chainPort = Number(/Devnet chain: ws:\/\/127\.0\.0\.1:(\d+) /.exec(output)?.[1]);
  }, 90_000);

  afterAll(async () => {
    await consoleOnIt?.stop();
    devnet?.kill("SIGTERM");
  });

  it("prints its chain endpoint, beacon, subnets and miners", () => {
    expect(output).toContain(`Devnet chain: ws://127.0.0.1:${chainPort} (finney runtime 424, 500 ms blocks`);
    const validator = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//devnet-validator").address;
    expect(output).toMatch(new RegExp(`Subnet 1 \\(owner, validator\\): 3 neurons\\n  uid 0  ${validator}  validator`));
    expect(output).toMatch(/uid 1 {2}\w{48} {2}training \(train\) {2}axon 127\.0\.0\.1:\d+/);
    expect(output).toMatch(/uid 2 {2}\w{48} {2}offline/);
    expect(output).toMatch(/Subnet 27 \(compute\): 2 neurons\n.*\n {2}uid 1 {2}\w{48} {2}compute \(8x H100\)/);
    expect(output).toMatch(/DRAND_PUBLIC_KEY=[0-9a-f]{192} DRAND_GENESIS=\d+/);
  });

  /** A console on this devnet's chain, with the beacon it printed. */
  const consoleEnv = () => {
    const [, key, genesis] = /DRAND_PUBLIC_KEY=([0-9a-f]+) DRAND_GENESIS=(\d+)/.exec(output)!;
    return {
      SUBTENSOR_URL: `ws://127.0.0.1:${chainPort}`,
      DRAND_PUBLIC_KEY: key!,
      DRAND_GENESIS: genesis!,
      BLOCK_TIME_MS: "500",
      COMPUTE_NETUID: "27",
      ROLES: "owner,validator,compute",
    };
  };

  it("a second console points at it and keeps its subnets' metagraphs", async () => {
    consoleOnIt = await startServer(consoleEnv());
    await expect
      .poll(() => neuronsPerSubnet(consoleOnIt!.databaseUrl), { timeout: 30_000 })
      .toEqual([
        [1, 3],
        [27, 2],
      ]);
    // Its phase oracle follows the devnet's blocks.
    const first = await phaseBlock(consoleOnIt.url);
    await expect.poll(() => phaseBlock(consoleOnIt!.url), { timeout: 10_000 }).toBeGreaterThan(first);
  });

  it("two consoles on one database share it: both follow the chain and neither doubles a neuron", async () => {
    const second = await startServer({ ...consoleEnv(), DATABASE_URL: consoleOnIt!.databaseUrl });
    try {
      await expect.poll(() => phaseBlock(second.url), { timeout: 10_000 }).toBeGreaterThan(0);
      const heads = await Promise.all([phaseBlock(consoleOnIt!.url), phaseBlock(second.url)]);
      expect(Math.abs(heads[0] - heads[1])).toBeLessThanOrEqual(2);
      // Both run the metagraph refresh (one job row, claimed by one instance at a time).
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await neuronsPerSubnet(second.databaseUrl)).toEqual([
        [1, 3],
        [27, 2],
      ]);
    } finally {
      await second.stop();
    }
  });
});

describe("the console's own devnet", () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ DEVNET_MINERS: "0", DEVNET_COMPUTE_MINERS: "0", BLOCK_TIME_MS: "500" });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  it("is restarted when it dies, and the chain goes on counting", async () => {
    const pid = devnetChild(server.process.pid!);
    expect(pid).not.toBeNull();
    const before = await phaseBlock(server.url);
    process.kill(pid!, "SIGKILL");
    await expect.poll(() => server.output(), { timeout: 60_000 }).toMatch(/devnet restarted/);
    expect(server.output()).toMatch(/the devnet process died: restarting it/);
    const again = devnetChild(server.process.pid!);
    expect(again).not.toBeNull();
    expect(again).not.toBe(pid);
    await expect.poll(() => phaseBlock(server.url), { timeout: 20_000 }).toBeGreaterThan(before + 2);
  });

  it("stops with the console", async () => {
    const pid = devnetChild(server.process.pid!)!;
    expect(await server.stop()).toBe(0);
    await expect.poll(() => alive(pid), { timeout: 15_000 }).toBe(false);
  });
});
