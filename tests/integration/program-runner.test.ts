/**
 * The devnet machines' python3 (program-runner.py under program-runner.ts), with real python3: a run gets only the
 * environment, directory, input and arguments it is given and nothing a run before it left; bytes that are not
 * the expected ones never run; a cancelled run ends at once, waiting or running, and the next run gets a new
 * runner; runs go one at a time.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { programRunner, type RunRequest } from "@/server/devnet/program-runner";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function script(source: string): { script: string; sha256: string } {
  const file = path.join(dir, `s${++seq}.py`);
  fs.writeFileSync(file, source);
  return { script: file, sha256: createHash("sha256").update(source).digest("hex") };
}

function run(s: { script: string; sha256: string }, opts: Partial<RunRequest> & { input?: string } = {}) {
  const io = path.join(dir, `io${++seq}`);
  if (opts.input !== undefined) fs.writeFileSync(`${io}.in`, opts.input);
  const request: RunRequest = {
    ...s,
    mode: opts.mode ?? "compute",
    cwd: opts.cwd ?? dir,
    env: opts.env ?? { PATH: "/usr/bin:/bin" },
    stdin: opts.input !== undefined ? `${io}.in` : null,
    stdout: `${io}.out`,
    stderr: `${io}.err`,
  };
  let cancel = () => undefined as void;
  const ended = new Promise<{ code: number; out: string; err: string; at: number }>((resolve) => {
    cancel = programRunner().run(request, (code) =>
      resolve({
        code,
        out: fs.existsSync(`${io}.out`) ? fs.readFileSync(`${io}.out`, "utf8") : "",
        err: fs.existsSync(`${io}.err`) ? fs.readFileSync(`${io}.err`, "utf8") : "",
        at: performance.now(),
      }),
    ).cancel;
  });
  return { ended, cancel: () => cancel() };
}

describe("the devnet machines' python3", () => {
  it("gives a run its own environment, directory, arguments and input, and nothing of the run before", async () => {
    const work = fs.mkdtempSync(path.join(dir, "work-"));
    const probe = script(
      [
        "import json, os, sys",
        "print(json.dumps({'env': dict(os.environ), 'cwd': os.getcwd(), 'argv': sys.argv[1:],",
        "  'input': sys.stdin.read(), 'left': globals().get('LEFT'), 'main': __name__}))",
        "LEFT = 'from the first run'",
        "os.environ['LEAKED'] = '1'",
        "sys.exit(3)",
      ].join("\n"),
    );
    const first = await run(probe, { env: { ONLY: "this" }, cwd: work, mode: "proof", input: '{"n": 4}' }).ended;
    expect(first.code).toBe(3);
    expect(JSON.parse(first.out)).toEqual({
      env: { ONLY: "this" },
      cwd: fs.realpathSync(work),
      argv: ["proof"],
      input: '{"n": 4}',
      left: null,
      main: "__main__",
    });
    const second = JSON.parse((await run(probe, { env: { OTHER: "x" } }).ended).out) as Record<string, unknown>;
    expect(second).toMatchObject({ cwd: fs.realpathSync(dir), input: "", left: null });
    expect(second.env).toEqual({ OTHER: "x" });
  });

  it("runs no byte that is not the expected script's, and reports an exception as python3 would", async () => {
    const s = script("print('ran')\n");
    const tampered = await run({ ...s, sha256: "0".repeat(64) }).ended;
    expect(tampered).toMatchObject({ code: 126, out: "" });
    expect(tampered.err).toMatch(/Permission denied/);
    const failing = await run(script("raise ValueError('bad input')\n")).ended;
    expect(failing).toMatchObject({ code: 1, err: "ValueError: bad input\n" });
    expect((await run(s).ended).out).toBe("ran\n");
  });

  it("runs one at a time, and a cancelled run ends at once, waiting or running", async () => {
    const slow = script("import time; time.sleep(30)\n");
    const quick = script("print('after')\n");
    const t = performance.now();
    const running = run(slow);
    const waiting = run(slow);
    const next = run(quick);
    let nextEnded = false;
    void next.ended.then(() => (nextEnded = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(nextEnded).toBe(false); // it waits for the runs before it
    waiting.cancel();
    expect((await waiting.ended).code).toBe(137);
    running.cancel();
    expect((await running.ended).code).toBe(137);
    const after = await next.ended;
    expect(after).toMatchObject({ code: 0, out: "after\n" });
    expect(after.at - t).toBeLessThan(10_000);
  });
});
