/**
 * Proof of GPU end to end on devnet machines in this process: real Allocate, real SSH (ssh2), the real script
 * run by python3 + NumPy; honest machines pass, the one that benchmarks as a weaker GPU and the one that
 * alters its proof fail with reasons, a machine that is down fails at allocation; no miner is left allocated;
 * the concurrency bound holds; a hung step is cut at its deadline.
 */
import fs from "node:fs";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureSecrets } from "@/server/auth/secrets";
import { findNeuron } from "@/server/chain";
import { allocateHotkey, allocateSpec } from "@/server/compute/allocations/allocate";
import { checkAllocations } from "@/server/compute/allocations/check";
import { listAllocations } from "@/server/compute/allocations/lookup";
import { deallocate } from "@/server/compute/allocations/release";
import { availability, market, matchSpec, noMatchReason } from "@/server/compute/market";
import { deviceRequirementSchema, dockerRequirementSchema } from "@/server/compute/forms";
import { refreshInventory } from "@/server/compute/inventory";
import { pogConcurrency, pogRound, proveMiner } from "@/server/compute/pog/run";
import { pinHostKey } from "@/server/compute/pog/ssh";
import { verification } from "@/server/compute/pog/verification";
import { listResources } from "@/server/compute/resources";
import { config } from "@/server/env";
import { DEVNET_MACHINES, DevnetComputeMiner } from "@/server/devnet/compute-miner";
import { Workspace } from "@/server/devnet/workspace";
import { inProcessRuntime, registerAxons } from "../support/in-process";
import { sshExecute } from "../support/ssh";
import { computeConfig } from "@/server/compute/config";

const NETUID = 27;
const rt = inProcessRuntime({
  NETUID: String(NETUID),
  VALIDATOR_HOTKEY_SEED: "//PogValidator",
  SECRETS_KEY: "ef".repeat(32),
  ADMIN_PASSWORD: "integration-admin-pass",
  POG_MATRIX_N: "96",
  POG_CONCURRENCY: "2",
});
const keyring = new Keyring({ type: "sr25519", ss58Format: 42 });
// 2x RTX 4090, L40S that alters its proof, RTX 6000 Ada, the one claiming an H100, CPU only.
const PROFILES = [2, 3, 4, 6, 5];
const miners: DevnetComputeMiner[] = [];

beforeAll(async () => {
  await ensureSecrets();
  const registered = async (h: string) => !!(await findNeuron(h, NETUID));
  for (const [i, p] of PROFILES.entries()) {
    const m = new DevnetComputeMiner(keyring.addFromUri(`//PogMiner-${i}`), { ...DEVNET_MACHINES[p] }, registered);
    await m.start();
    pinHostKey(m.hotkey, m.ssh.hostPublicKey);
    rt.stops.push(() => m.stop());
    miners.push(m);
  }
  await registerAxons(rt.db, NETUID, miners);
  await refreshInventory(NETUID);
});

describe("proof of GPU", () => {
  it("verifies honest machines, fails the two cheaters with reasons, and releases every miner", async () => {
    let peak = 0;
    const sampler = setInterval(
      () => void rt.db.allocation.count({ where: { live: { not: null } } }).then((n) => (peak = Math.max(peak, n))),
      20,
    );
    const results = await pogRound();
    clearInterval(sampler);
    const by = new Map(results.map((r) => [r.hotkey, r]));
    // The CPU-only host has no GPU to prove; the other four are tried.
    expect(results).toHaveLength(4);
    expect(by.get(miners[0].hotkey)).toMatchObject({ passed: true, identified: "NVIDIA RTX 4090" });
    expect(by.get(miners[2].hotkey)).toMatchObject({ passed: true, identified: "NVIDIA RTX 6000 Ada Generation" });
    expect(by.get(miners[1].hotkey)?.passed).toBe(false);
    expect(by.get(miners[1].hotkey)?.reason).toMatch(/GPU 0: Merkle path does not lead to the root/);
    expect(by.get(miners[3].hotkey)).toMatchObject({ passed: false, identified: "NVIDIA RTX 4090" });
    expect(by.get(miners[3].hotkey)?.reason).toMatch(/claims nvidia h100 80gb hbm3, measures as NVIDIA RTX 4090/);
    // Never more than a quarter of the 4 idle machines (1) rented at once, under POG_CONCURRENCY (2); none left.
    expect(peak).toBeLessThanOrEqual(1);
    expect(await rt.db.allocation.count({ where: { live: { not: null } } })).toBe(0);
    expect(miners.every((m) => m.rental === null)).toBe(true);
    // Every step is stored; an honest run's steps all succeeded.
    const run = await rt.db.pogRun.findFirstOrThrow({ where: { hotkey: miners[0].hotkey } });
    expect(JSON.parse(run.steps).map((s: { step: string }) => s.step)).toEqual([
      "allocate",
      "ssh",
      "upload",
      "gpu_info",
      "benchmark",
      "compute",
      "proof",
      "verify",
      "release",
    ]);
    expect(run.score).toBeCloseTo(0.68 * 2);
    // resources_wandb lists verified machines only.
    const listed = await listResources({ onlyAvailable: true, onlyVerified: true });
    expect(new Set((listed.data as { page_items: Array<{ hotkey: string }> }).page_items.map((r) => r.hotkey))).toEqual(
      new Set([miners[0].hotkey, miners[2].hotkey]),
    );
  }, 120_000); // a quarter of the 4 idle machines at once: one run after another

  it("rents what Proof of GPU verified, as it measured it; its own rentals are not customers'", async () => {
    const spec = (o: Record<string, unknown> = {}) => deviceRequirementSchema.parse(o);
    // Any GPU: the two verified machines; the L40S that altered its proof and the false H100 are not offered.
    const any = await matchSpec(spec());
    expect(new Set(any.free)).toEqual(new Set([miners[0].hotkey, miners[2].hotkey]));
    expect(any.unverified).toBe(2);
    // The false H100 is what it measured as, wherever the marketplace names it.
    const liar = (await market()).machines.find((m) => m.hotkey === miners[3].hotkey)!;
    expect(liar).toMatchObject({ gpu_name: "nvidia rtx 4090", claimed_gpu: "nvidia h100 80gb hbm3", verified: false });
    const h100 = await matchSpec(spec({ gpu_type: "h100" }));
    expect(h100.free).toEqual([]);
    expect(noMatchReason(h100)).toBe(
      'No machine meets the spec: a GPU whose name contains "h100" rules out 5 of 5 machines.',
    );
    await expect(allocateSpec(spec({ gpu_type: "h100" }), dockerRequirementSchema.parse({}))).rejects.toMatchObject({
      status: 404,
      message: "Fail to allocate resource",
      detail: 'No machine meets the spec: a GPU whose name contains "h100" rules out 5 of 5 machines.',
    });
    const l40s = await matchSpec(spec({ gpu_type: "l40s" }));
    expect(noMatchReason(l40s)).toMatch(/^1 machine meets the spec but has not passed Proof of GPU/);
    // A Proof of GPU rental: the machine is being verified, not rented; customers neither see nor end it.
    const pog = await allocateHotkey(miners[2].hotkey, dockerRequirementSchema.parse({}), "pog", 1);
    const during = await matchSpec(spec());
    expect(during).toMatchObject({ free: [miners[0].hotkey], verifying: 1, rented: 0 });
    const mk = await market();
    expect(
      availability(
        mk.machines.find((m) => m.hotkey === miners[2].hotkey)!,
        mk,
      ),
    ).toBe("verifying");
    await expect(listAllocations(true, true)).rejects.toMatchObject({ status: 404 });
    await expect(deallocate(miners[2].hotkey, pog.uuid_key, "api")).rejects.toMatchObject({ status: 404 });
    const resources = await listResources({ stats: true });
    expect(resources.data).toEqual({ stats: { available: 1, reserved: 1, total: 2 } });
    await deallocate(miners[2].hotkey, pog.uuid_key, "pog");
    expect((await matchSpec(spec({ gpu_type: "6000" }))).free).toEqual([miners[2].hotkey]);
    // Busy: every match rented.
    const rental = await allocateSpec(spec({ gpu_type: "6000" }), dockerRequirementSchema.parse({}));
    await expect(allocateSpec(spec({ gpu_type: "6000" }), dockerRequirementSchema.parse({}))).rejects.toMatchObject({
      detail: "Every machine that meets the spec is busy (1 rented); try again later.",
    });
    await deallocate(rental.hotkey, rental.uuid_key);
    // A quarter of the idle machines at once, at least one, never more than POG_CONCURRENCY.
    expect([pogConcurrency(4, 2), pogConcurrency(8, 16), pogConcurrency(1, 16), pogConcurrency(100, 16)]).toEqual([
      1, 2, 1, 16,
    ]);
  });

  it("tolerates three failures in a row, then the miner is unverified", async () => {
    const m = miners[0];
    m.down = true;
    for (let k = 1; k <= 3; k++) {
      const r = await proveMiner(m.hotkey);
      expect(r.passed).toBe(false);
      expect(r.reason).toMatch(/^allocate: /);
      const v = (await verification()).get(m.hotkey)!;
      expect([v.failures, v.verified]).toEqual([k, k < 3]);
    }
    m.down = false;
    // The first attempt's rental was never confirmed either way: it stays held (releasing) until the
    // allocation job hears from the miner.
    expect(await rt.db.allocation.count({ where: { live: { not: null } } })).toBe(1);
    await checkAllocations();
    expect(await rt.db.allocation.count({ where: { live: { not: null } } })).toBe(0);
    expect((await proveMiner(m.hotkey)).passed).toBe(true);
    expect((await verification()).get(m.hotkey)).toMatchObject({ verified: true, failures: 0 });
  });

  it("cuts a step at its deadline and still releases the miner", async () => {
    const m = miners[2];
    computeConfig().POG_STEP_TIMEOUT_S = 1;
    // A machine whose SSH login never completes: its server accepts the connection and says nothing.
    const original = m.ssh.open.bind(m.ssh);
    const net = await import("node:net");
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    m.ssh.open = async (access) => {
      await original(access);
      return (silent.address() as import("node:net").AddressInfo).port;
    };
    try {
      const t = Date.now();
      const r = await proveMiner(m.hotkey);
      expect(r.passed).toBe(false);
      expect(r.reason).toMatch(/SSH: Timed out/i);
      expect(Date.now() - t).toBeLessThan(10_000);
      expect(m.rental).toBeNull();
      expect(await rt.db.allocation.count({ where: { live: { not: null } } })).toBe(0);
    } finally {
      m.ssh.open = original;
      computeConfig().POG_STEP_TIMEOUT_S = 120;
      silent.close();
    }
  });

  it("a renter's shell runs the shipped script only, stays in its workspace and cannot push an unbounded upload", async () => {
    const m = miners[4];
    const a = await allocateHotkey(m.hotkey, dockerRequirementSchema.parse({}), "test", 1);
    const run = (command: string, input: Buffer | string = "") =>
      sshExecute(a.ssh_port, { password: a.ssh_password }, command, input);
    try {
      // A program of the renter's, given the name and mode the Proof of GPU script uses: refused, not run.
      const leak = "import os, json; print(json.dumps(dict(os.environ)))\n";
      expect((await run("cat > /tmp/x.py", leak)).code).toBe(0);
      const refused = await run("python3 /tmp/x.py gpu_info");
      expect(refused.code).toBe(126);
      expect(refused.out).toBe("");
      expect(refused.err).toMatch(/Permission denied/);
      // The shipped script runs, without the console's environment.
      const script = fs.readFileSync(path.join(process.cwd(), "server/compute/pog/check.py"));
      expect((await run("cat > /tmp/pog.py", script)).code).toBe(0);
      const info = await run("python3 /tmp/pog.py gpu_info");
      expect(info.code).toBe(0);
      expect(JSON.parse(info.out.trim().split("\n").at(-1)!)).toMatchObject({ num_gpus: 0 }); // the CPU-only host
      expect(info.out + info.err).not.toMatch(/ADMIN_PASSWORD|SECRETS_KEY|integration-admin-pass/);
      // Resource limits: a challenge of 60,000 x 60,000 (14 GB a matrix) fails in the machine, not on the host.
      const huge = await run("python3 /tmp/pog.py compute", JSON.stringify({ n: 60_000, seeds: [["1", "2"]] }));
      expect(huge.code).not.toBe(0);
      expect(huge.err).toMatch(/MemoryError|Unable to allocate/);
      // Names that would leave the workspace are not commands of this machine.
      for (const command of ["sha256sum /tmp/..", "cat > /tmp/..", "python3 /tmp/../x.py compute", "sha256sum /tmp/.x"])
        expect((await run(command, "x")).code, command).toBe(127);
      // A directory of the workspace is neither read nor written.
      await run("python3 /tmp/pog.py compute", JSON.stringify({ n: 32, seeds: [["1", "2"]] }));
      expect(await run("sha256sum /tmp/state")).toMatchObject({ code: 1, out: "" });
      expect(await run("cat > /tmp/state", "x")).toMatchObject({ code: 1, err: "cat: /tmp/state: Is a directory\n" });
      // An upload over 1 MiB is answered and closed at the cap.
      const big = await run("cat > /tmp/big", Buffer.alloc(3 * 1024 * 1024, 1));
      expect(big.code).toBe(1);
      expect(big.err).toMatch(/File too large/);
      expect(await run("sha256sum /tmp/big")).toMatchObject({ code: 1 });
    } finally {
      await deallocate(m.hotkey, a.uuid_key, "test");
    }
  });

  it("ends a step whose output passes the cap at once, without reading the rest", async () => {
    const m = miners[2];
    const original = Workspace.prototype.exec;
    let sent = 0;
    // A machine that answers gpu_info with an endless stream (up to 1 GB, as fast as the console reads).
    Workspace.prototype.exec = function (command, stream) {
      if (!command.endsWith(" gpu_info")) return original.call(this, command, stream);
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (sent < 1024 ** 3 && stream.writable) {
          sent += chunk.length;
          if (!stream.write(chunk)) return void stream.once("drain", pump);
        }
      };
      pump();
    };
    try {
      const r = await proveMiner(m.hotkey);
      expect(r.passed).toBe(false);
      expect(r.reason).toBe("more than 8388608 bytes of output");
      // The console stopped at the cap (plus what was in flight), far from the gigabyte on offer.
      expect(sent).toBeLessThan(32 * 1024 ** 2);
      expect(m.rental).toBeNull();
    } finally {
      Workspace.prototype.exec = original;
    }
  });

  it("gates on the claimed GPU's table figures, not the miner's: an inflated benchmark or a made-up VRAM fails", async () => {
    const m = miners[3]; // claims an H100 80GB HBM3
    const original = Workspace.prototype.exec;
    const h100 = { fp16: 570e12, fp32: 49e12 };
    let answer: Record<string, number> = {};
    let computeDelayMs = 0;
    // The miner answers the benchmark with figures of its choosing; its compute step may take a while.
    Workspace.prototype.exec = function (command, stream) {
      if (command.endsWith(" benchmark")) {
        stream.write(JSON.stringify(answer) + "\n");
        stream.exit(0);
        return void stream.end();
      }
      if (command.endsWith(" compute") && computeDelayMs) {
        const later = setTimeout(() => original.call(this, command, stream), computeDelayMs);
        return void stream.on("close", () => clearTimeout(later));
      }
      return original.call(this, command, stream);
    };
    const figures = (vram: number, size: number) => ({
      num_gpus: 1,
      vram_gb: vram,
      size_fp16: size,
      time_fp16: (2 * size ** 3) / h100.fp16,
      size_fp32: size,
      time_fp32: (2 * size ** 3) / h100.fp32, // 40.8 s at 100,000: the allowance the miner asks for
    });
    try {
      // H100 ratios at a 100,000 matrix, and a 12 s computation of the challenge: the table's H100 takes
      // 4.06 s for its benchmark's product, so 5 s + 4.06 s is all it gets.
      answer = figures(34.36, 100_000);
      computeDelayMs = 12_000;
      let r = await proveMiner(m.hotkey);
      expect(r).toMatchObject({ passed: false, identified: "NVIDIA H100 80GB HBM3" });
      expect(r.reason).toMatch(/^took \d+\.\d\d s, more than 5 s \+ 1 x 4\.06\d s$/);
      // A VRAM of 0.01 GB would shrink the challenge: refused for not being the GPU's.
      answer = figures(0.01, 46_336);
      computeDelayMs = 0;
      r = await proveMiner(m.hotkey);
      expect(r.passed).toBe(false);
      expect(r.reason).toBe("reports 0.01 GB of VRAM; NVIDIA H100 80GB HBM3 measures 34.36 GB");
      expect(m.rental).toBeNull();
    } finally {
      Workspace.prototype.exec = original;
    }
  }, 60_000);
});
