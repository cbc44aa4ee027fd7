/**
 * A devnet rental's files and the three programs a Proof of GPU uses over SSH: `cat > /tmp/<file>` (upload),
 * `sha256sum /tmp/<file>` and `python3 /tmp/<file> <mode>`, which runs the uploaded script for real with
 * python3 and NumPy on this machine's CPU, through the machines' one python3 (program-runner.ts). POG_SIMULATE
 * makes it answer gpu_info and benchmark as the machine's GPUs would (the devnet has none); a machine that cheats
 * reports a weaker GPU's figures, or has its proof's row altered on the way out.
 *
 * The machine is this computer, and a renter is an outsider: python3 runs only a file whose sha256 is the
 * console's own Proof of GPU script (checked again on the bytes it runs), with no environment of the console's,
 * in the workspace, under resource limits; file names cannot leave the workspace. Nothing else runs: other
 * commands get the simulated machine's shell.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ServerChannel } from "ssh2";
import { gpuEntry, pogScriptDigest } from "../compute";
import type { MachineProfile } from "./machines";
import { programRunner, type Run } from "./program-runner";

// A file name of the workspace: no leading dot, so never "." or "..".
const NAME = "(\\w[\\w.-]{0,63})";
const UPLOAD = new RegExp(`^cat > /tmp/${NAME}$`);
const HASH = new RegExp(`^sha256sum /tmp/${NAME}$`);
const RUN = new RegExp(`^python3 /tmp/${NAME} (gpu_info|benchmark|compute|proof)$`);
const MAX_UPLOAD = 1024 * 1024;
const RUN_TIMEOUT_MS = 120_000;
// What is read back of a program's stdout and stderr (the script's answers are small).
const MAX_IO = 8 * 1024 * 1024;

export class Workspace {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "devnet-machine-"));
  private active = new Set<Run>();
  private runs = 0;
  private removed = false;

  constructor(readonly machine: MachineProfile) {}

  handles(command: string): boolean {
    return UPLOAD.test(command) || HASH.test(command) || RUN.test(command);
  }

  /** What the machine's GPUs would answer (the devnet has no GPU). */
  private simulation(): string | null {
    const gpu = this.machine.gpu;
    if (!gpu) return null;
    const figures = gpuEntry(this.machine.benchmarkAs ?? gpu.name);
    if (!figures) return null;
    return JSON.stringify({
      names: Array.from({ length: gpu.count }, () => gpu.name),
      vram_gb: figures.vram,
      tflops_fp16: figures.fp16,
      tflops_fp32: figures.fp32,
    });
  }

  exec(command: string, stream: ServerChannel): void {
    const done = (code: number, out = "", err = "") => {
      if (out) stream.write(out);
      if (err) stream.stderr.write(err);
      stream.exit(code);
      stream.end();
    };
    let m = UPLOAD.exec(command);
    if (m) {
      const name = m[1];
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      const onData = (c: Buffer) => {
        size += c.length;
        if (size <= MAX_UPLOAD) return void chunks.push(c);
        // Over the cap: answered and closed now, the rest is never read.
        over = true;
        stream.off("data", onData);
        done(1, "", "cat: write error: File too large\n");
        stream.close();
      };
      stream.on("data", onData);
      stream.on("end", () => {
        if (over) return;
        try {
          fs.writeFileSync(path.join(this.dir, name), Buffer.concat(chunks));
          done(0);
        } catch (e) {
          done(
            1,
            "",
            `cat: /tmp/${name}: ${(e as NodeJS.ErrnoException).code === "EISDIR" ? "Is a directory" : "Cannot write"}\n`,
          );
        }
      });
      return;
    }
    m = HASH.exec(command);
    if (m) {
      const bytes = this.read(m[1]);
      if (!bytes) return done(1, "", `sha256sum: /tmp/${m[1]}: No such file\n`);
      return done(0, `${createHash("sha256").update(bytes).digest("hex")}  /tmp/${m[1]}\n`);
    }
    m = RUN.exec(command);
    if (!m) return done(127);
    const [, name, mode] = m;
    const bytes = this.read(name);
    if (!bytes) return done(2, "", `python3: can't open file '/tmp/${name}'\n`);
    if (createHash("sha256").update(bytes).digest("hex") !== pogScriptDigest())
      return done(
        126,
        "",
        `python3: /tmp/${name}: Permission denied (this machine runs the Proof of GPU script only)\n`,
      );
    // gpu_info and benchmark read no input; compute and proof read theirs (1 MiB at most) before they start.
    if (mode === "gpu_info" || mode === "benchmark") return this.run(name, mode, null, stream, done);
    const chunks: Buffer[] = [];
    let size = 0;
    let started = false;
    // Input that never ends is cut at the run's deadline, as the program would be.
    const deadline = setTimeout(() => {
      started = true;
      stream.off("data", onData);
      done(137);
    }, RUN_TIMEOUT_MS);
    const begin = () => {
      if (started) return;
      started = true;
      clearTimeout(deadline);
      stream.off("data", onData);
      this.run(name, mode, Buffer.concat(chunks).subarray(0, MAX_UPLOAD), stream, done);
    };
    const onData = (c: Buffer) => {
      chunks.push(c);
      if ((size += c.length) >= MAX_UPLOAD) begin();
    };
    stream.on("data", onData);
    stream.on("end", begin);
    stream.on("close", () => clearTimeout(deadline));
  }

  /** Runs the uploaded script through the machines' python3, one program at a time. */
  private run(
    name: string,
    mode: string,
    input: Buffer | null,
    stream: ServerChannel,
    done: (code: number, out?: string, err?: string) => void,
  ): void {
    if (this.removed) return done(137);
    const io = path.join(this.dir, `.run-${++this.runs}`);
    if (input) fs.writeFileSync(`${io}.in`, input);
    const simulate = this.simulation();
    const run = programRunner().run(
      {
        script: path.join(this.dir, name),
        sha256: pogScriptDigest(),
        mode,
        cwd: this.dir,
        // Nothing of the console's environment.
        env: {
          NODE_ENV: "production",
          PATH: "/usr/local/bin:/usr/bin:/bin",
          HOME: this.dir,
          LANG: "C.UTF-8",
          OPENBLAS_NUM_THREADS: "1",
          OMP_NUM_THREADS: "1",
          POG_STATE_DIR: path.join(this.dir, "state"),
          ...(simulate ? { POG_SIMULATE: simulate } : {}),
        },
        stdin: input ? `${io}.in` : null,
        stdout: `${io}.out`,
        stderr: `${io}.err`,
      },
      (code) => {
        clearTimeout(timer);
        this.active.delete(run);
        const out = readCapped(`${io}.out`);
        const err = readCapped(`${io}.err`);
        for (const ext of [".in", ".out", ".err"]) fs.rmSync(`${io}${ext}`, { force: true });
        let text = out.toString();
        if (mode === "proof" && this.machine.tamperProof) text = alterFirstRow(text);
        done(code, text, err.toString());
      },
    );
    this.active.add(run);
    const timer = setTimeout(() => run.cancel(), RUN_TIMEOUT_MS);
    stream.on("close", () => run.cancel());
  }

  /** A regular file of the workspace (at most MAX_UPLOAD bytes), or null. */
  private read(name: string): Buffer | null {
    const file = path.join(this.dir, name);
    try {
      const st = fs.statSync(file);
      return st.isFile() && st.size <= MAX_UPLOAD ? fs.readFileSync(file) : null;
    } catch {
      return null;
    }
  }

  /** Ends running programs and deletes the files (the rental is over). */
  remove(): void {
    this.removed = true;
    for (const run of this.active) run.cancel();
    this.active.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A program's output file, at most MAX_IO bytes of it (empty when it was never written). */
function readCapped(file: string): Buffer {
  try {
    const fd = fs.openSync(file, "r");
    try {
      const buf = Buffer.alloc(Math.min(fs.fstatSync(fd).size, MAX_IO));
      return buf.subarray(0, fs.readSync(fd, buf, 0, buf.length, 0));
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/** The cheat: the first value of the first row answered is changed (the Merkle path no longer holds). */
function alterFirstRow(text: string): string {
  try {
    const lines = text.trim().split("\n");
    const answer = JSON.parse(lines.at(-1)!) as { responses: Array<Array<{ row: string }>> };
    const first = answer.responses[0]?.[0];
    if (first) {
      const row = Buffer.from(first.row, "base64");
      row.writeFloatLE(row.readFloatLE(0) + 1, 0);
      first.row = row.toString("base64");
    }
    lines[lines.length - 1] = JSON.stringify(answer);
    return lines.join("\n") + "\n";
  } catch {
    return text;
  }
}
