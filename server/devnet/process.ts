/**
 * The devnet process. Alone (`npm run devnet`) it serves its chain on DEVNET_PORT and prints the endpoint,
 * the subnets and the miners, for a console, a miner or any subtensor client to point at. Started by the
 * console (with an IPC channel) it reports the same to the console and follows its devnet controls.
 */
import os from "node:os";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { ConfigError, config } from "../env";
import { log } from "../log";
import type { DevnetManifest } from "./manifest";
import { startLocalSubnet } from "./subnet";

/** What the console passes on the command line (no secrets: the miners' token comes over IPC). */
export interface DevnetArgs {
  port: number;
  startBlock: number;
  startTime: number;
  consoleUrl: string;
}

/** Messages between the console and its devnet process. */
export type ToDevnet =
  | { type: "token"; token: string | null }
  | { type: "setHead"; id: number; block: number }
  /** The console listens: the training miners may call it. */
  | { type: "listening" };
export type FromDevnet =
  | { type: "ready"; manifest: DevnetManifest }
  | { type: "headSet"; id: number; block: number }
  | { type: "failed"; error: string };

function describe(m: DevnetManifest): string {
  const lines = [
    `Devnet chain: ${m.endpoint} (finney runtime 424, ${config().BLOCK_TIME_MS} ms blocks, head ${m.anchor.block})`,
    `Drand beacon: public key ${m.beacon.publicKey}, genesis ${m.beacon.genesis}, period ${m.beacon.period} s`,
    `  (a console on this chain: SUBTENSOR_URL=${m.endpoint} DRAND_PUBLIC_KEY=${m.beacon.publicKey} DRAND_GENESIS=${m.beacon.genesis})`,
  ];
  for (const s of m.subnets) {
    lines.push(`Subnet ${s.netuid} (${s.roles.join(", ") || "no role"}): ${s.neurons} neurons`);
    for (const n of m.miners.filter((x) => x.netuid === s.netuid))
      lines.push(`  uid ${n.uid}  ${n.hotkey}  ${n.kind}${n.axon ? `  axon ${n.axon}` : ""}`);
  }
  return lines.join("\n");
}

function setNiceness(value: number): void {
  try {
    os.setPriority(0, value);
  } catch (e) {
    log.warn({ err: (e as Error).message }, "devnet: could not lower its priority");
  }
}

async function main() {
  const supervised = typeof process.send === "function";
  let c;
  try {
    c = config();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
  // Under a console the devnet is its simulator: it (and the programs its machines run) yields the CPU to the
  // console when both want it.
  if (supervised) setNiceness(10);
  await cryptoWaitReady();
  const args: Partial<DevnetArgs> = process.argv[2] ? (JSON.parse(process.argv[2]) as DevnetArgs) : {};
  let token: string | null = c.BZ_AUTH_TOKEN ?? null;
  // Alone, the devnet's training miners call the console from the start; under a console, once it listens.
  let consoleUp = !supervised;
  const send = (m: FromDevnet) => process.send?.(m);
  process.on("message", (m: ToDevnet) => {
    if (m.type === "token") token = m.token;
    if (m.type === "listening") consoleUp = true;
    if (m.type === "setHead") {
      devnet?.setHead(m.block);
      send({ type: "headSet", id: m.id, block: m.block });
    }
  });
  let devnet: Awaited<ReturnType<typeof startLocalSubnet>> | null = null;
  try {
    devnet = await startLocalSubnet({
      port: args.port ?? c.DEVNET_PORT,
      startBlock: args.startBlock ?? c.SIM_START_BLOCK,
      startTime: args.startTime,
      consoleUrl: args.consoleUrl ?? `http://127.0.0.1:${c.PORT}`,
      minerToken: () => token ?? undefined,
      consoleUp: () => consoleUp,
    });
  } catch (e) {
    send({ type: "failed", error: (e as Error).message });
    console.error(`The devnet could not start: ${(e as Error).message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await devnet?.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  // The console went away: so does its devnet.
  process.on("disconnect", () => void stop());
  if (supervised) send({ type: "ready", manifest: devnet.manifest });
  else console.log(`\n${describe(devnet.manifest)}\n`);
}

main().catch((e) => {
  log.fatal({ err: (e as Error).message }, "devnet failed");
  process.exit(1);
});
