import http from "node:http";
import type { AddressInfo } from "node:net";
import type { KeyringPair } from "@polkadot/keyring/types";
import { z } from "zod";
import { verifyHotkeySignatureOffThread } from "../crypto/verifier";
import { Axon, defineSynapse, validatorsOnly } from "../bittensor";
import { composeHeader, parseHeader, readHeaderLength } from "../models/safetensors";
import type { TinyMoeConfig, Weights } from "../models/tiny-moe";
import type { Trainer } from "./trainer";
import { DEVNET_USER_AGENT, log } from "../log";
import { signSubmission } from "../validator";

/** A small synapse every devnet miner serves besides the ping: answers its text. */
export const DevnetEcho = defineSynapse({
  name: "DevnetEcho",
  request: { text: z.string().max(1000) },
  response: { echo: z.string() },
  required: ["text"],
  hashFields: ["text"],
});

export type MinerBehaviour = "train" | "broken" | "copy";

/** Tensors of a safetensors body (F32), by name. */
export function parseSafetensors(body: Buffer): Weights {
  const n = readHeaderLength(body.subarray(0, 8), body.length);
  const header = parseHeader(body.subarray(8, 8 + n), n, body.length);
  const out: Weights = new Map();
  for (const t of header.tensors) {
    const bytes = body.subarray(header.dataStart + t.begin, header.dataStart + t.end);
    out.set(t.name, new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)));
  }
  return out;
}

export function toSafetensors(tensors: Array<{ name: string; shape: number[]; data: Float32Array }>): Buffer {
  const { header } = composeHeader(tensors.map((t) => ({ name: t.name, dtype: "F32", shape: t.shape })));
  return Buffer.concat([
    header,
    ...tensors.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
  ]);
}

/**
 * A simulated training miner: a real HTTP client of the console (phase, downloads, submission) with
 * its own sr25519 hotkey, and a real HTTP server on loopback that serves its checkpoints.
 */
export class DevnetMiner {
  private server: http.Server | null = null;
  private checkpoints = new Map<string, Buffer>();
  private round = -1;
  private base: Weights | null = null;
  private groupTensors: Array<{ name: string; shape: number[] }> = [];
  private trained: Weights | null = null;
  private submittedRound = -1;
  private busy = false;
  port = 0;

  constructor(
    readonly pair: KeyringPair,
    readonly group: number,
    readonly behaviour: MinerBehaviour,
    private opts: {
      consoleUrl: string;
      token: () => string | undefined;
      trainer: Trainer;
      trainSteps: number;
      samples: number;
      seed: number;
      config: () => TinyMoeConfig | null;
      /** Whether a hotkey is a validator with a permit on the miner's subnet (only they reach its axon). */
      isValidator: (hotkey: string) => Promise<boolean>;
    },
  ) {}

  get hotkey(): string {
    return this.pair.address;
  }

  /**
   * One port, as a real miner's: its axon (the ping /Synapse and DevnetEcho, for registered validators
   * only) and the checkpoints it serves for download.
   */
  async start(): Promise<void> {
    const axon = new Axon({
      signer: this.pair,
      externalIp: "127.0.0.1",
      // Checks go to the verification worker, not the event loop.
      verifier: verifyHotkeySignatureOffThread,
      blacklist: validatorsOnly(this.opts.isValidator),
    }).attach(DevnetEcho, (f) => ({ echo: f.text }));
    this.server = http.createServer((req, res) => {
      const body = this.checkpoints.get(req.url ?? "");
      if (!body) return void axon.handle(req, res);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length }).end(body);
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private headers(extra: Record<string, string> = {}) {
    return { "user-agent": DEVNET_USER_AGENT, authorization: `Bearer ${this.opts.token() ?? ""}`, ...extra };
  }

  /** Called on every new head; one step at a time. */
  async onHead(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const phase = (await (await fetch(`${this.opts.consoleUrl}/get_phase`, { headers: this.headers() })).json()) as {
        phase_name: string;
        cycle_index: number;
        block: number;
      };
      if (phase.cycle_index !== this.round) {
        this.round = phase.cycle_index;
        this.base = null;
        this.trained = null;
      }
      if (!this.base && (phase.phase_name === "Distribute" || phase.phase_name === "Train")) await this.download();
      if (this.base && !this.trained && phase.phase_name === "Train") await this.train();
      if (
        phase.phase_name === "Submission" &&
        this.submittedRound !== this.round &&
        (this.trained || this.behaviour !== "train")
      )
        await this.submit(phase.block);
    } catch (e) {
      log.warn({ miner: this.hotkey.slice(0, 8), err: (e as Error).message }, "devnet miner step failed");
    } finally {
      this.busy = false;
    }
  }

  private async download(): Promise<void> {
    const full = await fetch(`${this.opts.consoleUrl}/get-checkpoint`, { headers: this.headers() });
    if (!full.ok) throw new Error(`full model: ${full.status}`);
    const base = parseSafetensors(Buffer.from(await full.arrayBuffer()));
    const partial = await fetch(`${this.opts.consoleUrl}/model/partial`, {
      headers: this.headers({ "x-expert-group": String(this.group), "x-hotkey": this.hotkey }),
    });
    if (!partial.ok) throw new Error(`partial: ${partial.status}`);
    const body = Buffer.from(await partial.arrayBuffer());
    const group = parseSafetensors(body);
    const n = readHeaderLength(body.subarray(0, 8), body.length);
    const header = parseHeader(body.subarray(8, 8 + n), n, body.length);
    this.groupTensors = header.tensors.map((t) => ({ name: t.name, shape: t.shape }));
    for (const [name, t] of group) base.set(name, t);
    this.base = base;
  }

  private async train(): Promise<void> {
    const cfg = this.opts.config();
    if (!cfg || !this.base) return;
    if (this.behaviour !== "train") {
      this.trained = this.base;
      return;
    }
    const round = this.round;
    const trained = await this.opts.trainer.train({
      cfg,
      base: this.base,
      names: this.groupTensors.map((t) => t.name),
      language: (cfg as unknown as { devnet_language_seed?: number }).devnet_language_seed ?? 7,
      samples: this.opts.samples,
      steps: this.opts.trainSteps,
      seed: this.opts.seed,
      round,
    });
    if (round === this.round) this.trained = trained;
  }

  private async submit(block: number): Promise<void> {
    const file = `/ckpt-${this.round}.safetensors`;
    const body =
      this.behaviour === "broken"
        ? Buffer.from("this is not a safetensors file")
        : toSafetensors(
            this.groupTensors.map((t) => ({
              ...t,
              data: (this.behaviour === "copy" ? this.base : this.trained)!.get(t.name)!,
            })),
          );
    this.checkpoints.set(file, body);
    const submission = signSubmission(this.pair, {
      expert_group: this.group,
      checkpoint_url: `http://127.0.0.1:${this.port}${file}`,
      block_number: block,
    });
    const res = await fetch(`${this.opts.consoleUrl}/submit`, {
      method: "POST",
      headers: this.headers({ "content-type": "application/json" }),
      body: JSON.stringify(submission),
    });
    this.submittedRound = this.round;
    if (res.status !== 202)
      log.warn(
        { miner: this.hotkey.slice(0, 8), status: res.status, body: await res.text() },
        "devnet submission refused",
      );
  }
}
