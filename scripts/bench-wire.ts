/**
 * `npm run bench wire`: the bittensor wire layer on loopback.
 *   axon      verified requests/s of the ping synapse against one Axon (its own process), from 64 keep-alive
 *             connections, each its own dendrite (uuid) with pre-signed requests in nonce order
 *   dendrite  Dendrite.forward of the ping synapse to 256 axons (another process), wall time and RSS growth
 *   timelock  a timelocked weights commit for 1,024 uids: its size, and the cost to encrypt and to decrypt
 * Options (env): BENCH_CONNECTIONS (64), BENCH_SECONDS (10), BENCH_AXONS (256), BENCH_AXON_RATE (1000, pre-signed
 * requests per second of run).
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { QUICKNET, SimulatedBeacon, encodePayload, tlockDecrypt, tlockEncrypt } from "../server/chain/commit-reveal";
import { hexToU8a } from "@polkadot/util";
import { sr25519Verify as jsVerify } from "@polkadot/util-crypto";
import { Axon, Dendrite, PingSynapse, verifyHex } from "../server/bittensor";
import { cryptoReady, signHex } from "../server/crypto/hotkey";
import { verifyHotkeySignatureOffThread } from "../server/crypto/verifier";

const ROOT = path.resolve(__dirname, "..");
const keyring = () => new Keyring({ type: "sr25519", ss58Format: 42 });

/**
 * Child mode: serve `count` axons as //BenchMiner-<i> and print their ports as one JSON line; `worker`: requests
 * are checked in the verification worker instead of on the axon's thread.
 */
async function serveAxons(count: number, verify: "inline" | "worker") {
  await cryptoReady;
  const verifier = verify === "worker" ? verifyHotkeySignatureOffThread : undefined;
  const ports: number[] = [];
  for (let i = 0; i < count; i++)
    ports.push(await new Axon({ signer: keyring().addFromUri(`//BenchMiner-${i}`), verifier }).listen(0));
  if (verifier) await verifier("", "", ""); // the worker is started before the load (the axons keep the process)
  process.stdout.write(`${JSON.stringify(ports)}\n`);
  await new Promise(() => undefined);
}

function startAxons(
  count: number,
  verify: "inline" | "worker" = "inline",
): Promise<{ child: ChildProcess; ports: number[] }> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", path.join(__dirname, "bench-wire.ts"), "--serve-axons", String(count), verify],
    {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c;
      const line = out.split("\n")[0];
      if (out.includes("\n")) resolve({ child, ports: JSON.parse(line) as number[] });
    });
    child.on("exit", (code) => reject(new Error(`axon process exited with ${code}`)));
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function benchAxon(verify: "inline" | "worker") {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const { child, ports } = await startAxons(1, verify);
  const axon = { ip: "127.0.0.1", port: ports[0], hotkey: keyring().addFromUri("//BenchMiner-0").address };
  const signer = keyring().addFromUri("//BenchValidator");
  // Pre-signed requests for BENCH_AXON_RATE (1,000) req/s over the run (signing is not what is measured);
  // a 60 s call timeout keeps the first nonces inside the axon's window while the rest are signed.
  const perConnection = Math.ceil((Number(process.env.BENCH_AXON_RATE ?? 1000) * seconds) / connections);
  const signStart = performance.now();
  const lanes = Array.from({ length: connections }, () => {
    const d = new Dendrite({ signer });
    const reqs = Array.from({ length: perConnection }, () => d.prepare(axon, PingSynapse, {}, 60));
    d.close();
    return reqs;
  });
  const signMs = performance.now() - signStart;
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let non200 = 0;
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    lanes.map(async (reqs) => {
      for (const p of reqs) {
        if (performance.now() > deadline) return;
        const t = performance.now();
        const status = await new Promise<number>((resolve) => {
          const req = http.request(
            p.url,
            { method: "POST", agent, headers: { ...p.headers, "content-type": "application/json" } },
            (res) => {
              res.resume();
              res.on("end", () => resolve(res.statusCode ?? 0));
            },
          );
          req.on("error", () => resolve(-1));
          req.end(p.body);
        });
        latencies.push(performance.now() - t);
        if (status === -1) errors++;
        else if (status !== 200) non200++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  child.kill();
  latencies.sort((a, b) => a - b);
  return {
    name: `axon: ping, ${connections} connections, signature + nonce verified ${verify === "inline" ? "on its thread" : "in a worker"}`,
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    non200,
    errors,
    note: `client pre-signed ${lanes.length * perConnection} requests in ${Math.round(signMs)} ms`,
  };
}

async function benchDendrite(verify: "inline" | "worker") {
  const count = Number(process.env.BENCH_AXONS ?? 256);
  const { child, ports } = await startAxons(count);
  const axons = ports.map((port, i) => ({
    ip: "127.0.0.1",
    port,
    hotkey: keyring().addFromUri(`//BenchMiner-${i}`).address,
  }));
  // Requests signed on this thread; answers checked here too, or in the verification worker as the console's
  // dendrites do (started before the baseline).
  const signer = keyring().addFromUri("//BenchValidator");
  const d = new Dendrite(verify === "inline" ? { signer } : { signer, verifier: verifyHotkeySignatureOffThread });
  if (verify === "worker") await verifyHotkeySignatureOffThread("", "", "");
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 5);
  const runs: Array<{ ms: number; ok: number; rssGrowthMb: number }> = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const results = await d.forward(axons, PingSynapse, {}, { timeout: 12, concurrency: 64 });
    runs.push({
      ms: Math.round(performance.now() - t),
      ok: results.filter((r) => r.status === 200 && r.signatureValid).length,
      rssGrowthMb: Math.round(((rssPeak - rssBefore) / 1048576) * 10) / 10,
    });
  }
  clearInterval(sampler);
  d.close();
  child.kill();
  return {
    name: `dendrite: forward(ping) to ${count} axons, concurrency 64, answers checked ${verify === "inline" ? "on its thread" : "in the verification worker"}`,
    runs,
  };
}

/**
 * What one sr25519 signature costs here now, in the WASM face the wire uses and in util-crypto's pure JavaScript
 * (for scale): the axon signs one answer and checks one request per call.
 */
function cryptoCost() {
  const pair = keyring().addFromUri("//BenchCost");
  const message =
    "1763900000000000000.5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY.5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty.6f3c3b0e-2d5a-4a1e-9c57-2b8f0d1e4a77.a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a";
  const bytes = new TextEncoder().encode(message);
  const n = 300;
  const time = (f: () => unknown) => {
    const t = performance.now();
    for (let i = 0; i < n; i++) f();
    return (performance.now() - t) / n;
  };
  signHex(pair, message); // decodes the pair's keys once
  let sig = "";
  const signMs = time(() => (sig = signHex(pair, message)));
  const verifyMs = time(() => verifyHex(message, sig, pair.address));
  const jsSignMs = time(() => pair.sign(bytes)); // a keyring pair signs with util-crypto
  const jsVerifyMs = time(() => jsVerify(bytes, sig, pair.publicKey));
  return { signMs, verifyMs, jsSignMs, jsVerifyMs };
}

/** What a timelocked weights commit costs: for a full 1,024-uid subnet, encrypting and the chain's decryption. */
function timelockCost() {
  const beacon = new SimulatedBeacon("bench", QUICKNET.genesis);
  const uids = Array.from({ length: 1024 }, (_, i) => i);
  const payload = encodePayload({ hotkey: new Uint8Array(32), uids, values: uids.map(() => 65535), versionKey: 1n });
  const n = 10;
  let ciphertext: Uint8Array = new Uint8Array();
  let t = performance.now();
  for (let i = 0; i < n; i++) ciphertext = tlockEncrypt(hexToU8a(beacon.network.publicKey), 1000, payload);
  const encryptMs = (performance.now() - t) / n;
  const signature = beacon.sign(1000);
  t = performance.now();
  for (let i = 0; i < n; i++) tlockDecrypt(ciphertext, signature);
  const decryptMs = (performance.now() - t) / n;
  return { payloadBytes: payload.length, ciphertextBytes: ciphertext.length, encryptMs, decryptMs };
}

export async function benchWire(): Promise<boolean> {
  await cryptoReady;
  const tl = timelockCost();
  console.log(
    `timelocked weights commit, 1,024 uids: payload ${tl.payloadBytes} B, ciphertext ${tl.ciphertextBytes} B (the chain took up to 5,000 at spec 425), encrypt ${tl.encryptMs.toFixed(1)} ms, decrypt ${tl.decryptMs.toFixed(1)} ms`,
  );
  const cost = cryptoCost();
  const ceiling = Math.round(1000 / (cost.signMs + cost.verifyMs));
  console.log(
    `sr25519 on this machine now, WASM (the wire): sign ${cost.signMs.toFixed(2)} ms, verify ${cost.verifyMs.toFixed(2)} ms; an axon spends both per call, so one core serves at most ${ceiling} verified calls/s (util-crypto's JavaScript, for scale: sign ${cost.jsSignMs.toFixed(2)} ms, verify ${cost.jsVerifyMs.toFixed(2)} ms, ${Math.round(1000 / (cost.jsSignMs + cost.jsVerifyMs))} calls/s)`,
  );
  const axons = [];
  for (const verify of ["inline", "worker"] as const) {
    const axon = await benchAxon(verify);
    axons.push(axon);
    console.log(
      `${axon.name}: ${axon.rps} req/s (${Math.round((axon.rps / ceiling) * 100)}% of the single-core ceiling), p50 ${axon.p50.toFixed(2)} ms, p99 ${axon.p99.toFixed(2)} ms, ${axon.requests} requests, non-200 ${axon.non200}, errors ${axon.errors} (${axon.note})`,
    );
  }
  const dendrites = [];
  for (const verify of ["inline", "worker"] as const) {
    const dendrite = await benchDendrite(verify);
    dendrites.push(dendrite);
    for (const [i, r] of dendrite.runs.entries())
      console.log(
        `${dendrite.name}, run ${i + 1}: ${r.ms} ms, ${r.ok} answered with a valid axon signature, RSS +${r.rssGrowthMb} MB`,
      );
  }
  return (
    axons.every((a) => a.non200 === 0 && a.errors === 0) &&
    dendrites.every((d) => d.runs.every((r) => r.ok === Number(process.env.BENCH_AXONS ?? 256)))
  );
}

if (process.argv[2] === "--serve-axons")
  void serveAxons(Number(process.argv[3]), process.argv[4] === "worker" ? "worker" : "inline");
else if (require.main === module) void benchWire().then((ok) => process.exit(ok ? 0 : 1));
