/** SN27 wire pieces: sealed credentials (checked with openssl and python3-cryptography), specs, synapses. */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { bodyHash, toHeaders } from "@/server/bittensor";
import { AllocateSynapse, SpecsSynapse } from "@/server/compute/protocol";
import {
  allocationKeys,
  openWithPrivateKey,
  openCredentials,
  sealToPublicKey,
  SealError,
} from "@/server/compute/sealing";
import { readSpecs } from "@/server/compute/specs";

const run = promisify(execFile);
const EMPTY_HASH = "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a";
const credentials = JSON.stringify({ username: "root", password: "Zq3-wK9!p", port: 4444, version: "1.8.2" });

describe("sealed credentials (RSA-2048, OAEP, SHA-256)", () => {
  it("opens what openssl seals with the allocation's public key, and openssl opens what we seal", async () => {
    const keys = await allocationKeys();
    expect(keys.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seal-"));
    fs.writeFileSync(path.join(dir, "pub.pem"), keys.publicKey);
    fs.writeFileSync(path.join(dir, "key.pem"), keys.privateKey);
    fs.writeFileSync(path.join(dir, "plain"), credentials);
    const oaep = [
      "-pkeyopt",
      "rsa_padding_mode:oaep",
      "-pkeyopt",
      "rsa_oaep_md:sha256",
      "-pkeyopt",
      "rsa_mgf1_md:sha256",
    ];
    await run("openssl", [
      "pkeyutl",
      "-encrypt",
      "-pubin",
      "-inkey",
      path.join(dir, "pub.pem"),
      ...oaep,
      "-in",
      path.join(dir, "plain"),
      "-out",
      path.join(dir, "sealed"),
    ]);
    const sealed = fs.readFileSync(path.join(dir, "sealed")).toString("base64");
    expect(openCredentials(keys.privateKey, sealed)).toEqual({
      username: "root",
      password: "Zq3-wK9!p",
      port: 4444,
      version: "1.8.2",
    });

    fs.writeFileSync(path.join(dir, "ours"), Buffer.from(sealToPublicKey(keys.publicKey, credentials), "base64"));
    const out = await run("openssl", [
      "pkeyutl",
      "-decrypt",
      "-inkey",
      path.join(dir, "key.pem"),
      ...oaep,
      "-in",
      path.join(dir, "ours"),
    ]);
    expect(out.stdout).toBe(credentials);
  });

  it("opens what an SN27 miner's own code seals (python3-cryptography, as neurons/RSAEncryption.py)", async () => {
    const keys = await allocationKeys();
    const script = [
      "import base64, sys",
      "from cryptography.hazmat.primitives import serialization, hashes",
      "from cryptography.hazmat.primitives.asymmetric import padding",
      "key = serialization.load_pem_public_key(sys.argv[1].encode())",
      "c = key.encrypt(sys.argv[2].encode(), padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None))",
      "print(base64.b64encode(c).decode())",
    ].join("\n");
    const out = await run("python3", ["-c", script, keys.publicKey, credentials]);
    expect(openWithPrivateKey(keys.privateKey, out.stdout.trim())).toBe(credentials);
  });

  it("refuses another allocation's key, garbage and incomplete credentials, with a SealError", async () => {
    const [a, b] = await Promise.all([allocationKeys(), allocationKeys()]);
    expect(() => openWithPrivateKey(b.privateKey, sealToPublicKey(a.publicKey, credentials))).toThrow(SealError);
    expect(() => openWithPrivateKey(a.privateKey, "not base64!")).toThrow(/not base64/);
    expect(() => openWithPrivateKey(a.privateKey, "A".repeat(2000))).toThrow(SealError);
    expect(() => openCredentials(a.privateKey, sealToPublicKey(a.publicKey, "[1]"))).toThrow(/incomplete/);
    expect(() => openCredentials(a.privateKey, sealToPublicKey(a.publicKey, "{"))).toThrow(/not JSON/);
  });
});

describe("a miner's Specs report", () => {
  const report = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      cpu: { count: 32, frequency: 3500 },
      gpu: {
        count: 2,
        capacity: 2 * 24564,
        details: [
          { name: "NVIDIA GeForce RTX 4090", capacity: 24564 },
          { name: "NVIDIA GeForce RTX 4090", capacity: 24564 },
        ],
      },
      hard_disk: { total: 2e12, free: 1.5 * 1024 ** 4, used: 0.5e12 },
      ram: { total: 128 * 1024 ** 3, available: 120 * 1024 ** 3, used: 8 * 1024 ** 3, free: 100 * 1024 ** 3 },
      has_docker: true,
      ...over,
    });

  it("becomes a Resource in upstream's units (GiB summed over GPUs, RAM available, disk free)", () => {
    const v = readSpecs(report());
    expect(v).toMatchObject({
      valid: true,
      resource: {
        cpu_count: 32,
        gpu_name: "NVIDIA GeForce RTX 4090",
        gpu_count: 2,
        gpu_capacity: 47.98,
        ram: 120,
        hard_disk: 1536,
      },
    });
    const cpuOnly = readSpecs(report({ gpu: { count: 0, capacity: 0, details: [] } }));
    expect(cpuOnly).toMatchObject({ valid: true, resource: { gpu_count: 0, gpu_name: null, gpu_capacity: 0 } });
  });

  it("is invalid, with the reason, when it cannot be true", () => {
    const reasonOf = (text: string) => {
      const v = readSpecs(text);
      return v.valid ? null : v.reason;
    };
    expect(reasonOf("nope")).toBe("the report is not JSON");
    expect(reasonOf(JSON.stringify({ cpu: {} }))).toMatch(/^the report does not have the Specs layout: cpu.count/);
    expect(reasonOf(report({ ram: { total: -1, available: -1 } }))).toBe("negative RAM total; negative RAM available");
    expect(
      reasonOf(
        report({ gpu: { count: 0, capacity: 0, details: [{ name: "NVIDIA H100 80GB HBM3", capacity: 81559 }] } }),
      ),
    ).toBe('0 GPUs but a GPU named "NVIDIA H100 80GB HBM3"');
    const many = Array.from({ length: 65 }, () => ({ name: "NVIDIA H100 80GB HBM3", capacity: 81559 }));
    expect(reasonOf(report({ gpu: { count: 65, capacity: 65 * 81559, details: many } }))).toBe(
      "65 GPUs (more than 64)",
    );
    expect(reasonOf(report({ gpu: { count: 4, capacity: 1, details: many.slice(0, 2) } }))).toBe(
      "4 GPUs but 2 described",
    );
  });
});

describe("SN27 synapses on the wire", () => {
  it("have no required fields and hash nothing, as upstream's (every field has a default)", () => {
    const fields = AllocateSynapse.request.parse({});
    expect(fields).toMatchObject({
      timeline: 0,
      checking: true,
      docker_requirement: { ssh_port: 4444, base_image: "ubuntu" },
    });
    expect(bodyHash(AllocateSynapse, fields)).toBe(EMPTY_HASH);
    expect(bodyHash(SpecsSynapse, SpecsSynapse.request.parse({}))).toBe(EMPTY_HASH);
    const headers = toHeaders(AllocateSynapse, { timeout: 60, fields, bodyHash: EMPTY_HASH });
    expect(Object.keys(headers).filter((h) => h.startsWith("bt_header_input_obj_"))).toEqual([]);
    expect(headers).toMatchObject({ name: "Allocate", timeout: "60.0", computed_body_hash: EMPTY_HASH });
  });
});
