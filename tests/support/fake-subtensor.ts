import fs from "node:fs";
import path from "node:path";
import type { Codec } from "@polkadot/types/types";
import { u8aToHex } from "@polkadot/util";
import { ChainNode, type NodeNeuron, type Subnet } from "@/server/devnet/chain/node";
import { ChainRuntime, finneySpec424, type RuntimeSpec } from "@/server/devnet/chain/runtime";

export type { ReceivedExtrinsic } from "@/server/devnet/chain/node";

const FIXTURES = path.resolve(__dirname, "../fixtures/chain");
/** What finney answered at block 6,852,690 (spec 343): runtime version, head and netuid 1's neurons. */
export const FINNEY_RECORDING = JSON.parse(
  fs.readFileSync(path.join(FIXTURES, "finney-netuid1-spec343.json"), "utf8"),
) as {
  runtimeVersion: { specVersion: number; apis: Array<[string, number]> } & Record<string, unknown>;
  header: Record<string, unknown>;
  blockHash: string;
  block: number;
  neuronsLite: { params: string; result: string };
};

/** Real finney runtimes: their metadata as nodes serve it. */
const RUNTIMES: Record<219 | 343 | 424, () => RuntimeSpec> = {
  /** Before metadata V15: the runtime API is not in the metadata, and its answer is bytes wrapping the list. */
  219: () => ({
    specVersion: 219,
    metadataVersion: 14,
    legacyTypes: true,
    metadataHex: (
      JSON.parse(fs.readFileSync(path.join(FIXTURES, "finney-spec219-v14.json"), "utf8")) as { metadata: `0x${string}` }
    ).metadata,
  }),
  343: () => ({
    specVersion: 343,
    metadataVersion: 15,
    metadataHex: fs.readFileSync(path.join(FIXTURES, "finney-spec343-v15.hex"), "utf8").trim() as `0x${string}`,
  }),
  424: () => ({
    ...finneySpec424(),
    metadataHex: u8aToHex(fs.readFileSync(path.join(FIXTURES, "finney-spec424-v16.scale"))),
  }),
};
export type FakeSpec = keyof typeof RUNTIMES;
export type FakeNeuron = NodeNeuron;

/**
 * The devnet's chain node on one of finney's recorded runtimes, with netuid 1's settings as knobs and
 * blocks only on demand: a test says what the chain holds, the console reads it over a real WebSocket.
 */
export class FakeSubtensor extends ChainNode {
  /** Serve finney's recorded answer for netuid 1 instead of `neurons`. */
  replayFinney = false;
  /** The chain's newest stored drand round. */
  storedRound = 0n;
  blocksSinceStep = 40;
  /** LastUpdate of netuid 1, per uid (separate from the neurons' own figure). */
  lastUpdate: bigint[] = [];
  /** The SubtensorModule error the next extrinsic fails with at dispatch. */
  failNext: string | null = null;
  private readonly subnet: Subnet;

  constructor(spec: FakeSpec = 343) {
    super({ runtime: new ChainRuntime(RUNTIMES[spec]()), startBlock: 4_898_328, blockTimeMs: 0, tempo: 99 });
    this.subnet = this.addSubnet(1, { commitReveal: false, weightsVersionKey: 7n, weightsSetRateLimit: 100 });
  }

  get neurons(): NodeNeuron[] {
    return this.subnet.neurons;
  }
  set neurons(list: NodeNeuron[]) {
    this.subnet.neurons = list;
    this.changed();
  }
  get commitReveal() {
    return this.subnet.commitReveal;
  }
  set commitReveal(on: boolean) {
    this.subnet.commitReveal = on;
  }
  get mechanismCount() {
    return this.subnet.mechanismCount;
  }
  set mechanismCount(n: number) {
    this.subnet.mechanismCount = n;
  }
  override lastStoredRound(): bigint {
    return this.storedRound;
  }
  override blocksSinceLastStep(): number {
    return this.blocksSinceStep;
  }
  protected override lastUpdates(s: Subnet): bigint[] {
    return s === this.subnet ? this.lastUpdate : super.lastUpdates(s);
  }
  protected override dispatch(_signer: string, _method: string, _args: Codec[]): string | null {
    const failure = this.failNext;
    this.failNext = null;
    return failure;
  }
  override neuronsLite(params: string): string {
    if (this.replayFinney && params === "0x" + FINNEY_RECORDING.neuronsLite.params.replace(/^0x/, ""))
      return FINNEY_RECORDING.neuronsLite.result;
    return super.neuronsLite(params);
  }
}
