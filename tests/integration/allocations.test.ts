/**
 * Renting compute miners over the wire: races decided by the database, sealed credentials that open a real
 * SSH login, release and its retries, docker actions, health-check strikes, secrets never listed.
 */
import { Keyring } from "@polkadot/keyring";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureSecrets } from "@/server/auth/secrets";
import { findNeuron } from "@/server/chain";
import { allocateHotkey, allocateSpec } from "@/server/compute/allocations/allocate";
import { checkAllocations, checkMinerStatus } from "@/server/compute/allocations/check";
import { dockerAction } from "@/server/compute/allocations/docker";
import { listAllocations } from "@/server/compute/allocations/lookup";
import { deallocate } from "@/server/compute/allocations/release";
import { matchSpec } from "@/server/compute/market";
import { deviceRequirementSchema, dockerRequirementSchema } from "@/server/compute/forms";
import { refreshInventory } from "@/server/compute/inventory";
import { deliver } from "@/server/compute/webhooks";
import { AllocateSynapse, SpecsSynapse, sealToPublicKey } from "@/server/compute";
import { Axon } from "@/server/bittensor";
import { DEVNET_MACHINES, DevnetComputeMiner, specsOf } from "@/server/devnet/compute-miner";
import { ed25519KeyPair } from "@/server/devnet/ssh-box";
import { inProcessRuntime, registerAxons } from "../support/in-process";
import { sshRun } from "../support/ssh";
import { freePort } from "../support/ports";

const NETUID = 27;
const rt = inProcessRuntime({
  NETUID: String(NETUID),
  VALIDATOR_HOTKEY_SEED: "//AllocValidator",
  SECRETS_KEY: "ab".repeat(32),
  ADMIN_PASSWORD: "integration-admin-pass",
  ALLOCATION_MAX_STRIKES: "3",
  // These machines never run Proof of GPU here: rent them as upstream does (tests/integration/pog.test.ts
  // covers the default, verified machines only).
  ALLOCATE_UNVERIFIED: "1",
  // Nothing listens there: deliveries are recorded and fail.
  STATUS_NOTIFY_URL: "http://127.0.0.1:9/status",
  DEALLOCATION_NOTIFY_URL: "http://127.0.0.1:9/deallocation",
  WEBHOOKS_SECRET: "integration-webhook-secret",
  WEBHOOK_MAX_ATTEMPTS: "2",
});
const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
const miners: DevnetComputeMiner[] = [];
let downHotkey = "";
const careless: Array<{ hotkey: string; rents: number }> = [];
const spec = (o: Record<string, unknown> = {}) => deviceRequirementSchema.parse(o);
const docker = (o: Record<string, unknown> = {}) => dockerRequirementSchema.parse(o);

beforeAll(async () => {
  await ensureSecrets();
  const registered = async (h: string) => !!(await findNeuron(h, NETUID));
  const extra: Array<{ hotkey: string; port: number }> = [];
  // Four 4090 machines, one H100 machine.
  const profiles = [2, 2, 2, 2, 0].map((i) => ({ ...DEVNET_MACHINES[i] }));
  for (const [i, m] of profiles.entries()) {
    const miner = new DevnetComputeMiner(keyring.addFromUri(`//AllocMiner-${i}`), m, registered);
    await miner.start();
    rt.stops.push(() => miner.stop());
    miners.push(miner);
  }
  for (let i = 0; i < 4; i++) {
    const pair = keyring.addFromUri(`//AllocCareless-${i}`);
    const state = { hotkey: pair.address, rents: 0 };
    const axon = new Axon({ signer: pair })
      .attach(SpecsSynapse, () => ({ specs_output: JSON.stringify(specsOf(DEVNET_MACHINES[3])) }))
      .attach(AllocateSynapse, (f) => {
        if (f.checking || f.timeline <= 0) return { output: { status: true } };
        state.rents++;
        const info = sealToPublicKey(
          f.public_key,
          JSON.stringify({ username: "root", password: "careless-pass-1234", port: 2222 }),
        );
        return { output: { status: true, info } };
      });
    const port = await axon.listen(0);
    rt.stops.push(() => axon.close());
    careless.push(state);
    extra.push({ hotkey: pair.address, port });
  }
  const down = keyring.addFromUri("//AllocDown");
  downHotkey = down.address;
  const downPort = await freePort();
  await registerAxons(rt.db, NETUID, [...miners, { hotkey: down.address, port: downPort }, ...extra]);
  await refreshInventory(NETUID);
});

describe("allocation", () => {
  it("matches the inventory with upstream's units and comparisons", async () => {
    const matchingMiners = async (...a: Parameters<typeof matchSpec>) => (await matchSpec(...a)).free;
    const rtx = miners.slice(0, 4).map((m) => m.hotkey);
    // 2 x 24564 MiB = 47.98 GiB: more than 47 GB x 1000 MB, not more than 50.
    expect(new Set(await matchingMiners(spec({ gpu_type: "4090", gpu_size: 47 }), NETUID))).toEqual(new Set(rtx));
    expect(await matchingMiners(spec({ gpu_type: "4090", gpu_size: 50 }), NETUID)).toEqual([]);
    expect(await matchingMiners(spec({ gpu_type: "H100", gpu_size: 80 }), NETUID)).toEqual([miners[4].hotkey]);
    // The default ("gpu", 3 GB) means any GPU: smallest machine first.
    expect((await matchingMiners(spec(), NETUID)).at(-1)).toBe(miners[4].hotkey);
    expect(await matchingMiners(spec({ gpu_type: "4090", ram: 116 }), NETUID)).toHaveLength(0); // 115.2 GiB available
    expect(await matchingMiners(spec({ gpu_type: "4090", cpu_count: 33 }), NETUID)).toHaveLength(0);
  });

  it("gives each of 4 free miners to exactly one of 32 concurrent callers", async () => {
    const calls = await Promise.allSettled(
      Array.from({ length: 32 }, () => allocateSpec(spec({ gpu_type: "4090", gpu_size: 40 }), docker())),
    );
    const won = calls.flatMap((c) => (c.status === "fulfilled" ? [c.value] : []));
    expect(won).toHaveLength(4);
    expect(new Set(won.map((w) => w.hotkey)).size).toBe(4);
    for (const c of calls.filter((x) => x.status === "rejected"))
      expect((c as PromiseRejectedResult).reason).toMatchObject({ status: 404, message: "Fail to allocate resource" });
    expect(await rt.db.allocation.count({ where: { live: { not: null } } })).toBe(4);
    expect(miners.slice(0, 4).every((m) => m.rental !== null)).toBe(true);
    // Release them for the next tests.
    for (const w of won) await deallocate(w.hotkey, w.uuid_key);
    expect(miners.slice(0, 4).every((m) => m.rental === null)).toBe(true);
  });

  it("decides races in the database even when miners would rent twice", async () => {
    // Careless miners say yes to every check and every rental (the upstream bug that pre-empted renters).
    expect(careless.map((c) => c.rents)).toEqual([0, 0, 0, 0]);
    const calls = await Promise.allSettled(
      Array.from({ length: 32 }, () => allocateSpec(spec({ gpu_type: "l40s", gpu_size: 40 }), docker())),
    );
    const won = calls.flatMap((c) => (c.status === "fulfilled" ? [c.value] : []));
    expect(won).toHaveLength(4);
    expect(new Set(won.map((w) => w.hotkey))).toEqual(new Set(careless.map((c) => c.hotkey)));
    expect(careless.map((c) => c.rents)).toEqual([1, 1, 1, 1]);
    for (const w of won) await deallocate(w.hotkey, w.uuid_key);
  });

  it("hands out credentials that log in over SSH (password and the renter's key), stored sealed, listed only with secrets", async () => {
    const renter = ed25519KeyPair("renter@test");
    const a = await allocateSpec(spec({ gpu_type: "h100", gpu_size: 80 }), docker({ ssh_key: renter.public }));
    expect(a).toMatchObject({ hotkey: miners[4].hotkey, ssh_username: "root", ssh_ip: "127.0.0.1", state: "active" });
    expect(a.ssh_command).toBe(`ssh root@127.0.0.1 -p ${a.ssh_port}`);
    expect(a.regkey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(a.ssh_password.length).toBeGreaterThanOrEqual(16);
    expect(await sshRun(a.ssh_port, { password: a.ssh_password })).toContain("NVIDIA H100 80GB HBM3, 81559 MiB");
    expect(await sshRun(a.ssh_port, { privateKey: renter.private })).toContain("H100");
    await expect(sshRun(a.ssh_port, { password: "wrong-password" })).rejects.toThrow(/authentication/i);

    const row = await rt.db.allocation.findUniqueOrThrow({ where: { uuid: a.uuid_key } });
    expect(row.sshPassword).toMatch(/^enc:v1:/);
    expect(row.sshPassword).not.toContain(a.ssh_password);
    expect((await listAllocations(false, true)).find((x) => x.uuid_key === a.uuid_key)?.ssh_password).toBe("");
    expect((await listAllocations(true, true)).find((x) => x.uuid_key === a.uuid_key)?.ssh_password).toBe(
      a.ssh_password,
    );
    // Without the admin key's rights, a rental is told apart by a prefix of its uuid, which acts on nothing.
    const masked = (await listAllocations(false, false)).find((x) => x.hotkey === a.hotkey)!;
    expect(masked.uuid_key).toBe(`${a.uuid_key.slice(0, 8)}…`);
    await expect(deallocate(a.hotkey, masked.uuid_key)).rejects.toMatchObject({ status: 400 });
    expect((await rt.db.allocation.findUniqueOrThrow({ where: { uuid: a.uuid_key } })).state).toBe("active");

    // Busy: the same miner by hotkey is refused; status says the container is online.
    await expect(allocateHotkey(a.hotkey, docker())).rejects.toMatchObject({ status: 404 });
    expect(await checkMinerStatus([a.hotkey, miners[0].hotkey, downHotkey, "5Unknown"], false)).toEqual([
      { hotkey: a.hotkey, status: "Docker ONLINE" },
      { hotkey: miners[0].hotkey, status: "Docker OFFLINE" },
      { hotkey: downHotkey, status: "Miner NO_RESPONSE" },
      { hotkey: "5Unknown", status: "Not Found" },
    ]);

    // Pause refuses logins, unpause restores them, exchange_key swaps the key.
    await expect(dockerAction(a.hotkey, "00000000-0000-4000-8000-000000000000", "pause")).rejects.toMatchObject({
      status: 400,
      detail: "Invalid UUID key",
    });
    expect((await dockerAction(a.hotkey, a.uuid_key, "pause")).view.state).toBe("paused");
    await expect(sshRun(a.ssh_port, { password: a.ssh_password })).rejects.toThrow();
    expect((await dockerAction(a.hotkey, a.uuid_key, "unpause")).view.state).toBe("active");
    const next = ed25519KeyPair();
    await dockerAction(a.hotkey, a.uuid_key, "exchange_key", { ssh_key: next.public, key_type: "user" });
    await expect(sshRun(a.ssh_port, { privateKey: renter.private })).rejects.toThrow();
    expect(await sshRun(a.ssh_port, { privateKey: next.private })).toContain("H100");

    await expect(deallocate(a.hotkey, "not-a-uuid")).rejects.toMatchObject({ status: 400 });
    await deallocate(a.hotkey, a.uuid_key);
    await expect(sshRun(a.ssh_port, { password: a.ssh_password })).rejects.toThrow();
    await expect(deallocate(a.hotkey, a.uuid_key)).rejects.toMatchObject({ status: 404 });
    expect((await rt.db.allocation.findUniqueOrThrow({ where: { uuid: a.uuid_key } })).state).toBe("released");
  });

  it("strikes an allocation whose miner stops answering, and keeps an unconfirmed release until the limit", async () => {
    const m = miners[1];
    const a = await allocateHotkey(m.hotkey, docker());
    expect(a.hotkey).toBe(m.hotkey);
    expect(await checkAllocations()).toMatchObject({ checked: 1, offline: 0 });
    m.down = true;
    await checkAllocations();
    let row = await rt.db.allocation.findUniqueOrThrow({ where: { uuid: a.uuid_key } });
    expect(row).toMatchObject({ status: "OFFLINE", strikes: 1, state: "active" });
    // The renter deallocates while the miner is down: 502, the allocation stays releasing.
    await expect(deallocate(m.hotkey, a.uuid_key)).rejects.toMatchObject({ status: 502 });
    row = await rt.db.allocation.findUniqueOrThrow({ where: { uuid: a.uuid_key } });
    expect(row.state).toBe("releasing");
    expect(row.live).not.toBeNull();
    // The miner comes back: the job's next run releases it.
    m.down = false;
    expect((await checkAllocations()).released).toBe(1);
    row = await rt.db.allocation.findUniqueOrThrow({ where: { uuid: a.uuid_key } });
    expect(row).toMatchObject({ state: "released", live: null });
    expect(m.rental).toBeNull();

    // A miner that never answers again: released after ALLOCATION_MAX_STRIKES (3) failed checks.
    const b = await allocateHotkey(m.hotkey, docker());
    m.down = true;
    for (let i = 0; i < 3; i++) await checkAllocations();
    row = await rt.db.allocation.findUniqueOrThrow({ where: { uuid: b.uuid_key } });
    expect(row.state).toBe("released");
    expect(row.reason).toMatch(/3 failed checks/);
    m.down = false;
    m.rental = null;
  });

  it("records webhooks for status changes and for the ends the console decided, with upstream's bodies", async () => {
    const rows = await rt.db.webhookDelivery.findMany({ orderBy: { id: "asc" } });
    const m = miners[1].hotkey;
    // The strikes test: OFFLINE, back ONLINE, released (by the renter, no notify_flag: no webhook), OFFLINE again,
    // then released after 3 strikes (the console ended it: DEALLOCATION).
    expect(rows.filter((r) => r.hotkey === m).map((r) => r.event)).toEqual(["OFFLINE", "OFFLINE", "DEALLOCATION"]);
    const off = rows[0];
    expect(off.url).toBe("http://127.0.0.1:9/status");
    expect(Object.keys(JSON.parse(off.body))).toEqual(["time", "status_change_at", "hotkey", "status", "uuid"]);
    const end = rows.find((r) => r.event === "DEALLOCATION")!;
    expect(end.url).toBe("http://127.0.0.1:9/deallocation");
    expect(JSON.parse(end.body)).toMatchObject({ hotkey: m, status: "DEALLOCATION" });
    // Nothing listens: an attempt is recorded and retried, then given up at WEBHOOK_MAX_ATTEMPTS.
    await expect(deliver(off.id)).rejects.toThrow(/webhook OFFLINE/);
    await deliver(off.id);
    expect(await rt.db.webhookDelivery.findUniqueOrThrow({ where: { id: off.id } })).toMatchObject({
      status: "failed",
      attempts: 2,
      lastStatus: null,
    });
  });

  it("ends a rental whose timeline is over", async () => {
    const a = await allocateHotkey(miners[2].hotkey, docker());
    await checkAllocations(new Date(Date.now() + 31 * 86_400_000));
    expect(await rt.db.allocation.findUniqueOrThrow({ where: { uuid: a.uuid_key } })).toMatchObject({
      state: "released",
      reason: "the timeline ended",
    });
    expect(miners[2].rental).toBeNull();
  });

  it("releases a claim left pending by a console stopped mid-allocation, and leaves one in flight alone", async () => {
    const m = miners[3];
    expect(m.rental).toBeNull();
    const a = await allocateHotkey(m.hotkey, docker());
    expect(m.rental).not.toBeNull();
    // As kill -9 after the miner rented and before its answer was stored: the claim is still pending.
    const stale = new Date(Date.now() - 10 * 60_000);
    await rt.db.allocation.update({ where: { uuid: a.uuid_key }, data: { state: "pending", createdAt: stale } });
    // Another claim, made a moment ago, may still be waiting for its miner: not touched.
    const inFlight = await rt.db.allocation.create({
      data: {
        uuid: "in-flight-claim",
        netuid: NETUID,
        hotkey: miners[4].hotkey,
        live: `${NETUID}:${miners[4].hotkey}`,
        state: "pending",
        regkey: "",
        timeline: 1,
        createdBy: "test",
      },
    });
    expect((await checkAllocations()).released).toBeGreaterThanOrEqual(1);
    expect(await rt.db.allocation.findUniqueOrThrow({ where: { uuid: a.uuid_key } })).toMatchObject({
      state: "released",
      live: null,
    });
    expect(m.rental).toBeNull();
    expect(await rt.db.allocation.findUniqueOrThrow({ where: { id: inFlight.id } })).toMatchObject({
      state: "pending",
    });
    await rt.db.allocation.delete({ where: { id: inFlight.id } });
  });
});
