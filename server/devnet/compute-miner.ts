/**
 * Devnet compute miners: axons on loopback that serve SN27's `Specs` (a believable machine each) and
 * `Allocate` like real SN27 miners: free checks, rentals sealed to the caller's RSA key with a real SSH
 * server behind them, release, and the docker actions (restart, pause, unpause, exchange key).
 */
import type { KeyringPair } from "@polkadot/keyring/types";
import { verifyHotkeySignatureOffThread } from "../crypto/verifier";
import { Axon, type RequestOf } from "../bittensor";
import { AllocateSynapse, SpecsSynapse, sealToPublicKey } from "../compute";
import { type MachineProfile, specsOf } from "./machines";
import { SshBox } from "./ssh-box";

export { DEVNET_MACHINES, specsOf, type MachineProfile } from "./machines";

/** The miner version devnet machines report in their sealed credentials. */
export const DEVNET_MINER_VERSION = 200;

interface Rental {
  publicKey: string;
  since: number;
}

export class DevnetComputeMiner {
  private axon: Axon;
  port = 0;
  rental: Rental | null = null;
  /** When set, the miner answers nothing (an outage). */
  down = false;
  readonly ssh: SshBox;

  constructor(
    readonly pair: KeyringPair,
    readonly machine: MachineProfile,
    /** Miners accept calls from any registered hotkey (stake is not checked). */
    isRegistered: (hotkey: string) => Promise<boolean>,
  ) {
    this.ssh = new SshBox(machine, `devnet-${pair.address.slice(0, 6).toLowerCase()}`);
    this.axon = new Axon({
      signer: pair,
      externalIp: "127.0.0.1",
      // In the console's process: checks go to its verification worker, not its event loop.
      verifier: verifyHotkeySignatureOffThread,
      blacklist: async (hotkey) => ((await isRegistered(hotkey)) ? null : `Hotkey ${hotkey} is not registered`),
    })
      .attach(SpecsSynapse, () => {
        if (this.down) throw new Error("machine is down");
        return { specs_output: JSON.stringify(specsOf(this.machine)) };
      })
      .attach(AllocateSynapse, async (f) => ({ output: { ...(await this.allocate(f)), port: this.ssh.port || 4444 } }));
  }

  get hotkey(): string {
    return this.pair.address;
  }

  /** What an SN27 miner does with `Allocate` (neurons/miner.py `allocate`), with an SSH server for a container. */
  private async allocate(f: RequestOf<typeof AllocateSynapse>): Promise<Record<string, unknown>> {
    if (this.down) throw new Error("machine is down");
    const holds = (key: string) => this.rental !== null && key !== "" && this.rental.publicKey === key;
    if (f.checking) {
      // timeline > 0: "are you free?"; timeline 0: "is this key's container running?"
      if (f.timeline > 0) return { status: this.rental === null };
      return { status: holds(f.public_key) && !this.ssh.paused };
    }
    if (f.docker_change) {
      if (!holds(f.public_key)) return { status: false };
      const action = f.docker_action.action;
      if (action === "restart") {
        this.ssh.pause();
        this.ssh.resume();
      } else if (action === "pause") this.ssh.pause();
      else if (action === "unpause" || action === "resume") this.ssh.resume();
      else if (action === "exchange_key" && f.docker_action.key_type !== "terminal") {
        if (!this.ssh.access) return { status: false };
        this.ssh.access = { ...this.ssh.access, authorizedKey: f.docker_action.ssh_key };
      } else if (action !== "exchange_key") return { status: false };
      return { status: true };
    }
    if (f.timeline <= 0) {
      // Release: only the key that rented the machine can.
      if (!holds(f.public_key)) return { status: false };
      this.rental = null;
      await this.ssh.close();
      return { status: true };
    }
    // A busy machine refuses; it never pre-empts the running rental.
    if (this.rental || !f.public_key) return { status: false };
    this.rental = { publicKey: f.public_key, since: Date.now() };
    try {
      const password = SshBox.password();
      const port = await this.ssh.open({ username: "root", password, authorizedKey: f.docker_requirement.ssh_key });
      const info = sealToPublicKey(
        f.public_key,
        JSON.stringify({ username: "root", password, port, version: DEVNET_MINER_VERSION }),
      );
      return { status: true, info };
    } catch (e) {
      this.rental = null;
      await this.ssh.close();
      throw e;
    }
  }

  private outageTimer: NodeJS.Timeout | null = null;

  async start(port = 0): Promise<void> {
    this.port = await this.axon.listen(port);
    const outage = this.machine.outage;
    if (outage) {
      this.outageTimer = setInterval(() => {
        this.down = true;
        setTimeout(() => (this.down = false), outage.forS * 1000).unref();
      }, outage.everyS * 1000);
      this.outageTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.outageTimer) clearInterval(this.outageTimer);
    await this.ssh.close();
    await this.axon.close();
  }
}
