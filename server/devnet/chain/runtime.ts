import fs from "node:fs";
import path from "node:path";
import { Metadata, TypeRegistry } from "@polkadot/types";
import { expandMetadata } from "@polkadot/types/metadata";
import type { Extrinsic } from "@polkadot/types/interfaces";
import { compactAddLength, compactStripLength, u8aConcat, u8aToHex, u8aToU8a } from "@polkadot/util";
import { blake2AsU8a } from "@polkadot/util-crypto";
import { publicKeyOf, verifyEd25519, verifySr25519 } from "../../crypto/hotkey";
import { SUBTENSOR_SIGNED_EXTENSIONS, SUBTENSOR_TYPES } from "../../chain/subtensor-types";

/** A runtime as a node serves it: its metadata, the version it reports, and whether it predates metadata V15. */
export interface RuntimeSpec {
  specVersion: number;
  /** The metadata version the node offers besides 14 (15 or 16), or 14 alone. */
  metadataVersion: number;
  metadataHex: `0x${string}`;
  /** Before V15: runtime API types come from the client's own definitions. */
  legacyTypes?: boolean;
}

/** The runtime version finney reports (its API list), with the spec version of the runtime served. */
const RUNTIME_VERSION = JSON.parse(fs.readFileSync(path.join(__dirname, "runtime-version.json"), "utf8")) as {
  specVersion: number;
  transactionVersion: number;
  apis: Array<[string, number]>;
} & Record<string, unknown>;

/** finney's runtime 424 (metadata V16), the devnet chain's runtime. */
export function finneySpec424(): RuntimeSpec {
  return {
    specVersion: 424,
    metadataVersion: 16,
    metadataHex: u8aToHex(fs.readFileSync(path.join(__dirname, "finney-spec424-v16.scale"))),
  };
}

interface CodecMeta {
  index: { toNumber(): number };
  fields: Array<{ type: unknown }>;
}

/**
 * A runtime's SCALE side: storage keys and values, events, the neuron runtime API and extrinsic signatures,
 * all encoded with the metadata's own types, so clients decode them as they decode a real node's.
 */
export class ChainRuntime {
  readonly registry = new TypeRegistry();
  readonly metadata: Metadata;
  private readonly decorated: ReturnType<typeof expandMetadata>;

  constructor(readonly spec: RuntimeSpec) {
    if (spec.legacyTypes) this.registry.register(SUBTENSOR_TYPES as never);
    this.metadata = new Metadata(this.registry, spec.metadataHex);
    this.registry.setMetadata(this.metadata, undefined, SUBTENSOR_SIGNED_EXTENSIONS);
    this.decorated = expandMetadata(this.registry, this.metadata);
  }

  version() {
    return { ...RUNTIME_VERSION, specVersion: this.spec.specVersion };
  }

  get transactionVersion(): number {
    return RUNTIME_VERSION.transactionVersion;
  }

  /** A storage item's key, or null where this runtime has no such item. */
  key(section: string, item: string, ...args: unknown[]): string | null {
    const entry = (this.decorated.query as unknown as Record<string, Record<string, (...a: unknown[]) => Uint8Array>>)[
      section
    ]?.[item];
    return entry ? u8aToHex(compactStripLength(entry(...args))[1]) : null;
  }

  /** SCALE of a storage value, by the item's own type in the metadata. */
  value(section: string, item: string, value: unknown): string {
    const entry = (
      this.decorated.query as unknown as Record<
        string,
        Record<string, { meta: { type: { isPlain: boolean; asPlain: unknown; asMap: { value: unknown } } } }>
      >
    )[section]![item]!;
    const t = entry.meta.type;
    const id = t.isPlain ? t.asPlain : t.asMap.value;
    return u8aToHex(this.registry.createType(this.registry.createLookupType(id as never), value).toU8a());
  }

  palletIndex(name: string): number {
    return this.metadata.asLatest.pallets.find((p) => p.name.toString() === name)!.index.toNumber();
  }

  /** Whether the SubtensorModule has an error of this name. */
  hasError(name: string): boolean {
    return !!this.decorated.errors.subtensorModule?.[name];
  }

  /**
   * `System.Events` of a block: for each extrinsic in order, ExtrinsicSuccess, or ExtrinsicFailed with the
   * SubtensorModule error named (phase ApplyExtrinsic(i), no topics).
   */
  events(outcomes: Array<string | null>): string {
    const sys = this.decorated.events.system;
    const info = { weight: { refTime: 0, proofSize: 0 }, class: "Normal", paysFee: "Yes" };
    const field = (meta: CodecMeta, i: number, v: unknown) =>
      this.registry.createType(this.registry.createLookupType(meta.fields[i]!.type as never), v).toU8a();
    const records = outcomes.map((failure, i) => {
      let event: Uint8Array;
      if (failure) {
        const m = sys.ExtrinsicFailed.meta as never as CodecMeta;
        const error = new Uint8Array(4);
        error[0] = this.decorated.errors.subtensorModule[failure]!.meta.index.toNumber();
        event = u8aConcat(
          [this.palletIndex("System"), m.index.toNumber()],
          field(m, 0, { Module: { index: this.palletIndex("SubtensorModule"), error } }),
          field(m, 1, info),
        );
      } else {
        const m = sys.ExtrinsicSuccess.meta as never as CodecMeta;
        event = u8aConcat([this.palletIndex("System"), m.index.toNumber()], field(m, 0, info));
      }
      const phase = new Uint8Array(5);
      new DataView(phase.buffer).setUint32(1, i, true);
      return u8aConcat(phase, event, [0x00]);
    });
    return u8aToHex(u8aConcat(this.registry.createType("Compact<u32>", records.length).toU8a(), ...records));
  }

  /** The neuron runtime API's answer for a list, encoded with the metadata's own `NeuronInfoLite`. */
  neuronsLite(netuid: number, neurons: NodeNeuron[]): string {
    const api = this.metadata.asLatest.apis.find((a) => a.name.toString() === "NeuronInfoRuntimeApi");
    const method = api?.methods.find((m) => m.name.toString() === "get_neurons_lite");
    const list = this.registry
      .createType(
        method ? this.registry.createLookupType(method.output) : "Vec<NeuronInfoLite>",
        neurons.map((n) => ({
          hotkey: n.hotkey,
          coldkey: n.coldkey,
          uid: n.uid,
          netuid,
          active: true,
          axonInfo: { block: 1, version: 1, ip: n.ip ?? 0n, port: n.port ?? 0, ipType: 4, protocol: 4 },
          prometheusInfo: { block: 0, version: 0, ip: 0, port: 0, ipType: 0 },
          stake: [[n.coldkey, n.stake]],
          validatorPermit: n.validatorPermit,
          incentive: n.incentive ?? 0,
          dividends: n.dividends ?? 0,
          emission: n.emission ?? 0n,
          lastUpdate: n.lastUpdate ?? 0,
        })),
      )
      .toU8a();
    // Before V15 the API answered bytes wrapping the list.
    return u8aToHex(method ? list : compactAddLength(list));
  }

  /** `Metadata_metadata_versions` and `Metadata_metadata_at_version`. */
  metadataVersions(): string {
    return this.registry.createType("Vec<u32>", [14, this.spec.metadataVersion]).toHex();
  }

  metadataAtVersion(params: string): string {
    const version = this.registry.createType("u32", params).toNumber();
    if (version !== this.spec.metadataVersion) return "0x00";
    return u8aToHex(u8aConcat([0x01], compactAddLength(u8aToU8a(this.spec.metadataHex))));
  }

  decodeExtrinsic(hex: string): Extrinsic {
    return this.registry.createType("Extrinsic", hex);
  }

  /** Checks an extrinsic's sr25519 signature over the signing payload rebuilt from it and this chain's state. */
  signatureValid(
    ext: Extrinsic,
    genesisHash: string,
    blockHashOf: (birth: (head: number) => number) => string,
  ): boolean {
    if (!ext.isSigned) return false;
    const era = ext.era;
    const blockHash = era.isMortalEra ? blockHashOf((head) => era.asMortalEra.birth(head)) : genesisHash;
    const payload = this.registry.createType("ExtrinsicPayload", {
      method: ext.method.toHex(),
      era,
      nonce: ext.nonce,
      tip: ext.tip,
      mode: (ext.inner.signature as unknown as { mode?: unknown }).mode ?? 0,
      specVersion: this.spec.specVersion,
      transactionVersion: this.transactionVersion,
      genesisHash,
      blockHash,
    });
    let message = payload.toU8a({ method: true });
    if (message.length > 256) message = blake2AsU8a(message, 256);
    // sr25519 (what wallets sign with) or ed25519; the devnet takes no ecdsa signers.
    const signature = ext.signature.toU8a().slice(-64);
    const key = publicKeyOf(ext.signer.toString());
    return verifySr25519(message, signature, key) || verifyEd25519(message, signature, key);
  }
}

/** A neuron as the chain keeps it. */
export interface NodeNeuron {
  uid: number;
  hotkey: string;
  coldkey: string;
  validatorPermit: boolean;
  stake: bigint;
  ip?: bigint;
  port?: number;
  /** u16 shares and per-epoch emission as NeuronInfoLite carries them. */
  incentive?: number;
  dividends?: number;
  emission?: bigint;
  /** The block of its last weights. */
  lastUpdate?: number;
}
