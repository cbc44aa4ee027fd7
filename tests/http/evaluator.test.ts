import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Keyring } from "@polkadot/keyring";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn, startServer, trpc, type RunningServer } from "../support/server";
import { signedSubmission } from "../support/miner";
import { chainForConsole } from "../support/local-chain";

const TOKEN = "evaluator-token-0123456789";
const AUTH = { authorization: `Bearer ${TOKEN}` };

describe("the command evaluator (EVALUATOR=command)", () => {
  let server: RunningServer;
  let admin: string;
  let ckpt: http.Server;
  let group0 = Buffer.alloc(0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "console-eval-"));
  // Answers from a file the test writes, so one server can see good and bad evaluators.
  const answer = path.join(dir, "answer");
  const keyring = new Keyring({ ss58Format: 42, type: "sr25519" });

  beforeAll(async () => {
    await cryptoWaitReady();
    ckpt = http.createServer((_req, res) => res.end(group0));
    await new Promise<void>((r) => ckpt.listen(0, "127.0.0.1", r));
    const miner = keyring.addFromUri("//EvalMiner");
    server = await startServer({
      SIM_START_BLOCK: "54346",
      BLOCK_TIME_MS: "3600000",
      BZ_AUTH_TOKEN: TOKEN,
      DEVNET_MINERS: "0",
      DEVNET_MINER_HOTKEYS: miner.address,
      MODELS_DIR: path.join(dir, "models"),
      EVALUATOR: "command",
      // The job arrives on stdin; the script checks it names the checkpoint, then answers.
      EVALUATOR_CMD: `input=$(cat); echo "$input" | grep -q checkpoint_path || exit 3; sh ${answer}`,
      EVALUATOR_TIMEOUT_S: "2",
    });
    admin = (await signIn(server.url, "admin", "test-admin-password"))!;
    group0 = Buffer.from(
      await (
        await fetch(`${server.url}/model/partial`, {
          headers: { ...AUTH, "x-expert-group": "0", "x-hotkey": miner.address },
        })
      ).arrayBuffer(),
    );
  });

  afterAll(async () => {
    await server?.stop();
    ckpt?.close();
  });

  async function evaluate(script: string, block: number) {
    fs.writeFileSync(answer, script);
    const url = `http://127.0.0.1:${(ckpt.address() as AddressInfo).port}/c.safetensors`;
    const res = await fetch(`${server.url}/submit`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify(
        signedSubmission(keyring.addFromUri("//EvalMiner"), {
          expert_group: 0,
          checkpoint_url: url,
          block_number: block,
        }),
      ),
    });
    expect(res.status).toBe(202);
    const { submission_id } = (await res.json()) as { submission_id: string };
    for (let i = 0; i < 100; i++) {
      const s = (await trpc(server.url, "validator.submission", { id: submission_id }, admin, "query")).body.result!
        .data.json as { state: string; score: number; loss: number; reason: string | null };
      if (s.state === "scored" || s.state === "rejected") return s;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("not evaluated");
  }

  it("scores with the loss the command reports", async () => {
    const s = await evaluate(`echo '{"loss": 1.5, "baseline_loss": 2.0}'`, 54340);
    expect(s.state).toBe("scored");
    expect(s.loss).toBe(1.5);
    expect(s.score).toBeCloseTo(0.5 ** 1.2, 12);
  });

  it.each([
    ["malformed output", `echo 'not json'`, /evaluator output is not valid/, 54341],
    ["a non-zero exit", `echo boom >&2; exit 2`, /evaluator exited with 2: boom/, 54342],
    ["a timeout", `sleep 10`, /timed out after 2000 ms/, 54343],
  ])("rejects on %s without harm", async (_what, script, reason, block) => {
    const s = await evaluate(script as string, block as number);
    expect(s.state).toBe("rejected");
    expect(s.reason).toMatch(reason as RegExp);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});

describe("before any model is published", () => {
  it("reports it on /health and answers 503 to downloads", async () => {
    // A console without a devnet (which would publish its model) on a chain at block 54321.
    const local = await chainForConsole({ startBlock: 54321 });
    const server = await startServer({ ...local.env, BZ_AUTH_TOKEN: TOKEN, BLOCK_TIME_MS: "3600000" });
    try {
      // The console listens before its first head arrives from the node (a client sees current_block null).
      const deadline = Date.now() + 10_000;
      while (
        ((await (await fetch(`${server.url}/health`)).json()) as { current_block: number | null }).current_block ===
        null
      ) {
        if (Date.now() > deadline) throw new Error("no chain head after 10 s");
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await (await fetch(`${server.url}/health`)).json()).toEqual({
        status: "degraded",
        model_loaded: false,
        current_block: 54321,
        phase: "train",
      });
      const res = await fetch(`${server.url}/model/partial`, {
        headers: { ...AUTH, "x-expert-group": "0", "x-hotkey": "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty" },
      });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ detail: "Model has not finished loading" });
      expect((await fetch(`${server.url}/get-checkpoint`, { headers: AUTH })).status).toBe(503);
    } finally {
      await server.stop();
      await local.stop();
    }
  });
});
