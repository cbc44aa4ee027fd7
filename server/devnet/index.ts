import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { chain } from "../chain";
import { db } from "../db";
import { config } from "../env";
import { log } from "../log";
import { currentVersion, publishVersion } from "../models";
import { writeDevnetModel } from "./model";
import type { DevnetArgs, FromDevnet, ToDevnet } from "./process";
import type { DevnetManifest } from "./manifest";

export type { DevnetManifest } from "./manifest";

const ANCHOR_KEY = "devnet.chain.anchor";
/** How long the devnet process may take to report its chain and miners. */
const READY_TIMEOUT_MS = 120_000;

/** Publishes the devnet's first model when none exists yet (before the server listens: clients see it at once). */
export async function ensureDevnetModel(): Promise<void> {
  if (currentVersion() || (await db().modelVersion.count()) > 0) return;
  const dir = path.resolve(config().MODELS_DIR, "step_0");
  await writeDevnetModel(dir);
  await publishVersion({ dir, name: "step_0", blockNumber: chain().head() ?? 0, by: "devnet" });
}

export interface DevnetProcess {
  manifest: DevnetManifest;
  /** Tells the devnet the console listens (its training miners start calling it). */
  consoleListening(): void;
  /** Moves the devnet chain's head (devnet control); the block count continues from there, across restarts too. */
  setHead(block: number): Promise<void>;
  stop(): Promise<void>;
}

type Anchor = DevnetManifest["anchor"];

/** Where the chain's block count continues: the stored anchor, or SIM_START_BLOCK now. */
async function startAnchor(): Promise<Anchor> {
  const c = config();
  const row = await db().setting.findUnique({ where: { key: ANCHOR_KEY } });
  const now = Date.now();
  const stored = row ? (JSON.parse(row.value) as Anchor) : null;
  if (!stored) return { block: c.SIM_START_BLOCK, time: now, blockTimeMs: c.BLOCK_TIME_MS };
  if (stored.blockTimeMs === c.BLOCK_TIME_MS) return stored;
  // Keep the count, change the pace from here on.
  const block = stored.block + Math.max(0, Math.floor((now - stored.time) / stored.blockTimeMs));
  return { block, time: now, blockTimeMs: c.BLOCK_TIME_MS };
}

async function saveAnchor(anchor: Anchor): Promise<void> {
  const value = JSON.stringify(anchor);
  await db().setting.upsert({ where: { key: ANCHOR_KEY }, create: { key: ANCHOR_KEY, value }, update: { value } });
}

/**
 * Starts the devnet as a child process (its chain and its miners run there, not in the console) and keeps
 * it running: restarted with a log line when it dies, stopped with the console. Resolves with what it
 * reports once its chain listens.
 */
export async function startDevnetProcess(opts: {
  consoleUrl: string;
  minerToken: () => string | undefined;
}): Promise<DevnetProcess> {
  // The first start takes a port the system picks (one chosen here could be taken before the child binds it);
  // restarts reuse it, so the console's chain endpoint stays the same.
  let port = 0;
  let child: ChildProcess | null = null;
  let stopping = false;
  let nextId = 1;
  const waiting = new Map<number, () => void>();

  const spawn = async (): Promise<DevnetManifest> => {
    const anchor = await startAnchor();
    const args: DevnetArgs = { port, startBlock: anchor.block, startTime: anchor.time, consoleUrl: opts.consoleUrl };
    const proc = fork(path.join(__dirname, "process.ts"), [JSON.stringify(args)], {
      execArgv: ["--require", "tsx/cjs"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    child = proc;
    proc.send({ type: "token", token: opts.minerToken() ?? null } satisfies ToDevnet);
    if (listening) proc.send({ type: "listening" } satisfies ToDevnet);
    const manifest = await new Promise<DevnetManifest>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the devnet did not start within 2 minutes")), READY_TIMEOUT_MS);
      proc.on("message", (m: FromDevnet) => {
        if (m.type === "ready") {
          clearTimeout(timer);
          resolve(m.manifest);
        } else if (m.type === "failed") {
          clearTimeout(timer);
          reject(new Error(m.error));
        } else if (m.type === "headSet") waiting.get(m.id)?.();
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the devnet process exited with ${code} before it was ready`));
      });
    });
    port = Number(new URL(manifest.endpoint).port);
    await saveAnchor(manifest.anchor);
    proc.once("exit", (code, signal) => {
      if (stopping) return;
      log.error({ code, signal }, "the devnet process died: restarting it");
      setTimeout(() => void restart(), 1000).unref();
    });
    return manifest;
  };
  const restart = async () => {
    try {
      await spawn();
      log.warn({ port }, "devnet restarted");
    } catch (e) {
      log.error({ err: (e as Error).message }, "the devnet did not restart; trying again in 10 s");
      if (!stopping) setTimeout(() => void restart(), 10_000).unref();
    }
  };

  let listening = false;
  const manifest = await spawn();
  // A rotated miner token reaches the devnet's miners within 2 s.
  let token = opts.minerToken();
  const tokenWatch = setInterval(() => {
    const now = opts.minerToken();
    if (now === token) return;
    token = now;
    child?.send({ type: "token", token: now ?? null } satisfies ToDevnet);
  }, 2000);
  tokenWatch.unref();
  return {
    manifest,
    consoleListening() {
      listening = true;
      child?.send({ type: "listening" } satisfies ToDevnet);
    },
    async setHead(block) {
      const id = nextId++;
      const done = new Promise<void>((resolve) => waiting.set(id, resolve));
      child?.send({ type: "setHead", id, block } satisfies ToDevnet);
      await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
      waiting.delete(id);
      await saveAnchor({ block, time: Date.now(), blockTimeMs: config().BLOCK_TIME_MS });
    },
    async stop() {
      stopping = true;
      clearInterval(tokenWatch);
      const proc = child;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
