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
import { chain, invalidateNeurons } from "@/server/chain";
import { db as dbOf, type Db } from "@/server/db";
import { toSafetensors } from "@/server/devnet/miner";
import { writeDevnetModel } from "@/server/devnet/model";
import { trainRound } from "@/server/devnet/training";
import { config } from "@/server/env";
import { ConflictError, ForbiddenError, LockedError, NotFoundError, UnavailableError } from "@/server/errors";
import { defineJobs, jobs } from "@/server/jobs";
import {
  currentVersion,
  listVersions,
  loadCurrentVersion,
  publishVersion,
  servedVersionId,
  serveVersion,
} from "@/server/models";
import { select } from "@/server/models/catalog";
import { readF32Tensors } from "@/server/models/files";
import { isTinyMoeConfig } from "@/server/models/tiny-moe";
import { signSubmission, validatorModule } from "@/server/validator";
import { submitCheckpoint } from "@/server/validator/submissions";
import { scoreOf } from "@/server/validator/scoring";
import { flushActivity, recorded } from "@/server/validator/activity";
import { minerDetail, roundHealth } from "@/server/validator/health";
import { lastMerge, mergedVersionName, mergeRound } from "@/server/validator/merge";
import { minerScores, modelProgress } from "@/server/validator/queries";
import { freshDb } from "../support/db";
import { startLocalChain, type LocalChain } from "../support/local-chain";

// Cycle 1207 starts at 54315: Train is 54320..54339, Submission 54346..54348.
const SUBMISSION_BLOCK = 54346;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "console-flow-"));
const files = new Map<string, Buffer>();
const savedEnv = { ...process.env };
let db: Db;
let local: LocalChain;
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
  local = await startLocalChain({
    startBlock: SUBMISSION_BLOCK,
    chainBlockTimeMs: 3_600_000,
    setup: (node) => node.addSubnet(1),
  });
  chain.set(local.chain);
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
  await local?.stop();
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

describe("round health, miner activity, model lineage and rollback", () => {
  it("Overview's round health counts this round's submissions and finds its best loss", async () => {
    const h = await roundHealth();
    expect(h.round).toBe(1207);
    expect(h.version?.name).toBe("step_0");
    expect(h.submissions).toEqual({ total: 2, accepted: 1, scored: 1, rejected: 1 });
    const scored = await db.submission.findFirstOrThrow({ where: { state: "scored" } });
    expect(h.best).toMatchObject({ loss: scored.loss, baselineLoss: scored.baselineLoss, thisRound: true });
    // On the devnet the validator puts weights on chain by default; no cycle has run yet.
    expect(h.weights).toMatchObject({ enabled: true, blocksSince: null });
  });

  it("refusals are counted per miner and route with the last reason, in one row however many", async () => {
    const pair = new Keyring({ type: "sr25519", ss58Format: 42 }).addFromUri("//FlowBroken");
    for (let i = 0; i < 250; i++) {
      await expect(
        recorded(pair.address, "/model/partial", () =>
          Promise.reject(new ForbiddenError("Hotkey is assigned to expert group 3")),
        ),
      ).rejects.toBeInstanceOf(ForbiddenError);
    }
    await recorded(pair.address, "/model/partial", async () => "served");
    // A failure of the console (5xx) is not the miner's refusal.
    await expect(
      recorded(pair.address, "/submit", () => Promise.reject(new UnavailableError("Model has not finished loading"))),
    ).rejects.toBeInstanceOf(UnavailableError);
    await flushActivity();
    const rows = await db.minerActivity.findMany({ where: { hotkey: pair.address }, orderBy: { outcome: "asc" } });
    expect(rows.map((r) => [r.route, r.outcome, r.count, r.lastStatus, r.lastReason])).toEqual([
      ["/model/partial", "refused", 250, 403, "Hotkey is assigned to expert group 3"],
      ["/model/partial", "served", 1, 200, null],
    ]);

    const h = await roundHealth();
    expect(h.refusedMiners).toEqual([
      expect.objectContaining({ hotkey: pair.address, count: 250, route: "/model/partial", status: 403 }),
    ]);
    const miners = await minerScores(1207);
    expect(miners.find((m) => m.hotkey === pair.address)?.refused).toMatchObject({ count: 250 });
    expect(miners.find((m) => m.hotkey !== pair.address)?.refused).toBeNull();

    const detail = await minerDetail(pair.address);
    expect(detail).toMatchObject({ uid: 2, registered: true, assignedGroup: null });
    expect(detail!.lastRejection?.reason).toMatch(/not a valid safetensors file/);
    expect(detail!.activity).toHaveLength(2);
    expect(detail!.lastSeen).toBeInstanceOf(Date);
    expect(await minerDetail(new Keyring({ type: "sr25519" }).addFromUri("//Nobody").address)).toBeNull();
  });

  it("a merge records which submissions it took each group from; an admin can serve an earlier version", async () => {
    const merged = await mergeRound(1207);
    expect(merged).toBe("step_1207");
    expect(currentVersion()?.name).toBe("step_1207");
    // The job again: nothing more. Round 0's merge cannot take the generated model's name (step_0).
    expect(await mergeRound(1207)).toBeNull();
    expect(await mergedVersionName(1207)).toBeNull();
    expect(await mergedVersionName(0)).toBe("step_0-merge-1");
    // Models says what the newest merge did: published, or why not.
    expect(await lastMerge()).toMatchObject({ round: 1207, version: "step_1207" });
    expect(await mergeRound(1300)).toBeNull();
    expect(await lastMerge()).toMatchObject({
      round: 1300,
      skipped: "no submission of round 1300 scored above 0 on step_1207",
    });
    const scored = await db.submission.findFirstOrThrow({ where: { state: "scored" } });
    const progress = await modelProgress();
    const step = progress.versions.find((v) => v.lineage)!;
    expect(step.lineage).toEqual({
      from: "step_0",
      round: 1207,
      groups: [{ group: 1, submissionId: scored.id, hotkey: scored.hotkey, score: scored.score, loss: scored.loss }],
    });
    const base = progress.versions.find((v) => !v.lineage)!;
    expect(base).toMatchObject({ baselineLoss: scored.baselineLoss, submissions: 2 });
    expect(progress.rounds).toEqual([
      { round: 1207, bestLoss: scored.loss, baselineLoss: scored.baselineLoss, scored: 1 },
    ]);

    const step0 = await db.modelVersion.findUniqueOrThrow({ where: { name: "step_0" } });
    await serveVersion(step0.id);
    expect(currentVersion()?.name).toBe("step_0");
    expect(await servedVersionId()).toBe(step0.id);
    // Another instance (or a restart) loads the admin's choice, not the newest.
    expect((await loadCurrentVersion())?.name).toBe("step_0");
    await expect(serveVersion(999_999)).rejects.toBeInstanceOf(NotFoundError);
    expect(currentVersion()?.name).toBe("step_0");
    // A rollback is visible as such on Models and Overview.
    const versions = await listVersions();
    expect(versions.find((v) => v.name === "step_0")).toMatchObject({ current: true, pinned: true });
    expect(versions.filter((v) => v.pinned)).toHaveLength(1);
    expect((await roundHealth()).version).toMatchObject({ name: "step_0", pinned: true });
  });
});
