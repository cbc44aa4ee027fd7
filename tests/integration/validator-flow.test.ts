/**
 * The validator's services in-process, without a build: a signed submission is accepted, its job fetches
 * the checkpoint over real HTTP, validates and evaluates it, and the score follows the loss.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chain, invalidateNeurons, SimulatedChain } from "@/server/chain";
import { db as dbOf, type Db } from "@/server/db";
import { toSafetensors } from "@/server/devnet/miner";
import { writeDevnetModel } from "@/server/devnet/model";
import { trainRound } from "@/server/devnet/training";
import { config } from "@/server/env";
import { ConflictError, LockedError } from "@/server/errors";
import { defineJobs, jobs } from "@/server/jobs";
import { currentVersion, publishVersion } from "@/server/models";
import { select } from "@/server/models/catalog";
import { readF32Tensors } from "@/server/models/files";
import { isTinyMoeConfig } from "@/server/models/tiny-moe";
import { signSubmission, validatorModule } from "@/server/validator";
import { submitCheckpoint } from "@/server/validator/submissions";
import { scoreOf } from "@/server/validator/scoring";
import { freshDb } from "../support/db";

// Cycle 1207 starts at 54315: Train is 54320..54339, Submission 54346..54348.
const SUBMISSION_BLOCK = 54346;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "console-flow-"));
const files = new Map<string, Buffer>();
const savedEnv = { ...process.env };
let db: Db;
let ckpt: http.Server;
let base = "";

async function runJobsUntilFinal(id: string) {
  for (let i = 0; i < 50; i++) {
    await jobs().runDue();
    const s = await db.submission.findUniqueOrThrow({ where: { id } });
    if (s.state === "scored" || s.state === "rejected") return s;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("submission did not finish");
}

beforeAll(async () => {
  await cryptoWaitReady();
  const fresh = await freshDb();
  db = fresh.db;
  Object.assign(process.env, {
    DATABASE_URL: fresh.url,
    MODELS_DIR: path.join(tmp, "models"),
    ALLOW_PRIVATE_CHECKPOINT_URLS: "1",
    EVALUATOR: "builtin",
    NETUID: "1",
    BLOCK_TIME_MS: "3600000",
  });
  config.set(undefined);
  dbOf.set(db);
  const simulated = new SimulatedChain(db, { blockTimeMs: 3_600_000, startBlock: SUBMISSION_BLOCK, netuid: 1 });
  chain.set(simulated);
  await simulated.start();
  defineJobs(validatorModule.jobs ?? []);

  const dir = path.join(tmp, "models", "step_0");
  await writeDevnetModel(dir);
  await publishVersion({ dir, name: "step_0", blockNumber: 54300, by: "test" });

  ckpt = http.createServer((req, res) => {
    const body = files.get(req.url ?? "");
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": body.length }).end(body);
  });
  await new Promise<void>((r) => ckpt.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(ckpt.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await chain.peek()?.stop();
  chain.set(undefined);
  dbOf.set(undefined);
  config.set(undefined);
  process.env = savedEnv;
  ckpt?.close();
  await db?.$disconnect();
});

async function registerMiner(uri: string, uid: number) {
  const pair = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri(uri);
  await db.neuron.create({
    data: { netuid: 1, uid, hotkey: pair.address, coldkey: pair.address, validatorPermit: false, stake: "0" },
  });
  invalidateNeurons();
  return pair;
}

describe("submit -> evaluate -> score, in-process", () => {
  it("scores a trained checkpoint by its loss against the served version, once", async () => {
    const pair = await registerMiner("//FlowTrainer", 1);
    const version = currentVersion()!;
    const cfg = version.catalog.config;
    expect(isTinyMoeConfig(cfg)).toBe(true);
    const group = select(version.catalog, { group: 1 })!;
    const trained = trainRound({
      cfg: cfg as never,
      base: await readF32Tensors(version.catalog.tensors),
      names: group.map((t) => t.name),
      language: (cfg as { devnet_language_seed?: number }).devnet_language_seed ?? 7,
      samples: 96,
      steps: 40,
      seed: 3,
      round: 1207,
    });
    files.set(
      "/trained.safetensors",
      toSafetensors(group.map((t) => ({ name: t.name, shape: t.shape, data: trained.get(t.name)! }))),
    );
    const submission = signSubmission(pair, {
      expert_group: 1,
      checkpoint_url: `${base}/trained.safetensors`,
      block_number: 54340,
    });
    const accepted = await submitCheckpoint(submission);
    expect(accepted).toMatchObject({ status: "accepted", evaluation_eta_blocks: 54351 - SUBMISSION_BLOCK });
    await expect(submitCheckpoint(submission)).rejects.toBeInstanceOf(ConflictError);

    const done = await runJobsUntilFinal(accepted.submission_id);
    expect(done.state).toBe("scored");
    expect(done.loss!).toBeLessThan(done.baselineLoss!);
    expect(done.score).toBeCloseTo(scoreOf(done.baselineLoss!, done.loss!), 12);
    expect(JSON.parse(done.steps).map((s: [string, string]) => s[1])).toEqual([
      "queued",
      "fetching",
      "validating",
      "evaluating",
      "scored",
    ]);
    // Finished work is never evaluated again.
    expect(await jobs().runDue()).toBe(0);
  });

  it("rejects a file that is not safetensors, with the reason", async () => {
    const pair = await registerMiner("//FlowBroken", 2);
    files.set("/broken.safetensors", Buffer.from("not a safetensors file"));
    const { submission_id } = await submitCheckpoint(
      signSubmission(pair, { expert_group: 0, checkpoint_url: `${base}/broken.safetensors`, block_number: 54341 }),
    );
    const done = await runJobsUntilFinal(submission_id);
    expect(done.state).toBe("rejected");
    expect(done.reason).toMatch(/not a valid safetensors file/);
  });

  it("refuses submissions outside the Submission phase (423)", async () => {
    const pair = await registerMiner("//FlowLate", 3);
    await chain().setHead!(SUBMISSION_BLOCK + 3);
    const error = await submitCheckpoint(
      signSubmission(pair, { expert_group: 0, checkpoint_url: `${base}/x`, block_number: 54341 }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).status).toBe(423);
  });
});
