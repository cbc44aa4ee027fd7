/**
 * A devnet rental's files and the three programs a Proof of GPU uses over SSH: `cat > /tmp/<file>` (upload),
 * `sha256sum /tmp/<file>` and `python3 /tmp/<file> <mode>`, which runs the uploaded script for real with
 * python3 and NumPy on this machine's CPU. POG_SIMULATE makes it answer gpu_info and benchmark as the
 * machine's GPUs would (the devnet has none); a machine that cheats reports a weaker GPU's figures, or has
 * its proof's row altered on the way out.
 *
 * The machine is this computer, and a renter is an outsider: python3 runs only a file whose sha256 is the
 * console's own Proof of GPU script, with no environment of the console's, in the workspace, under resource
 * limits; file names cannot leave the workspace. Nothing else runs: other commands get the simulated
 * machine's shell.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ServerChannel } from "ssh2";
import { gpuEntry, pogScriptDigest } from "../compute";
import { lazy } from "../global";
import type { MachineProfile } from "./machines";

// A file name of the workspace: no leading dot, so never "." or "..".
const NAME = "(\\w[\\w.-]{0,63})";
const UPLOAD = new RegExp(`^cat > /tmp/${NAME}$`);
const HASH = new RegExp(`^sha256sum /tmp/${NAME}$`);
const RUN = new RegExp(`^python3 /tmp/${NAME} (gpu_info|benchmark|compute|proof)$`);
const MAX_UPLOAD = 1024 * 1024;
const RUN_TIMEOUT_MS = 120_000;
// CPU seconds, file size (KiB), open files and address space (KiB, 4 GiB: a 128 x 128 challenge needs ~100 MB).
const LIMITS = "ulimit -t 120 && ulimit -f 65536 && ulimit -n 64 && ulimit -v 4194304";

/**
 * The devnet's machines are this computer: their programs take turns, one at a time (a Proof of GPU round runs 16
 * machines at once). Even at nice 19, busy programs on both cores slow the console's event loop: measured on 2
 * cores, /get_phase p99 under load went 1.7-1.9x with 16 busy loops beside it, 1.3-1.4x with one.
 */
class ProgramQueue {
  private running = 0;
  private waiting: Array<() => void> = [];

  constructor(private readonly atOnce: number) {}

  /** Resolves when a program may start, with the function that frees its place. */
  take(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.running++;
        resolve(() => {
          this.running--;
          this.waiting.shift()?.();
        });
      };
      if (this.running < this.atOnce) grant();
      else this.waiting.push(grant);
    });
  }
}

const programs = lazy(() => new ProgramQueue(1));

export class Workspace {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "devnet-machine-"));
  private children = new Set<ChildProcess>();
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
    let closed = false;
    stream.on("close", () => (closed = true));
    void programs()
      .take()
      .then((release) => {
        if (closed || this.removed) return release();
        this.start(name, mode, stream, done, release);
      });
  }

  /** Runs the script (a program slot held: `release` frees it when the program ends). */
  private start(
    name: string,
    mode: string,
    stream: ServerChannel,
    done: (code: number, out?: string, err?: string) => void,
    release: () => void,
  ): void {
    const simulate = this.simulation();
    const child: ChildProcess = spawn(
      "/bin/sh",
      ["-c", `${LIMITS} && exec python3 "$0" "$1"`, path.join(this.dir, name), mode],
      {
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
        stdio: ["pipe", "pipe", "pipe"],
      },
    );
    this.children.add(child);
    // The machine shares this computer with the console: its programs yield the CPU to the console's.
    if (child.pid) {
      try {
        os.setPriority(child.pid, 19);
      } catch {
        // not permitted here: it runs at normal priority
      }
    }
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
    stream.pipe(child.stdin!);
    child.stdin!.on("error", () => undefined);
    const out: Buffer[] = [];
    child.stdout!.on("data", (c: Buffer) => out.push(c));
    child.stderr!.on("data", (c: Buffer) => stream.stderr.write(c));
    stream.on("close", () => child.kill("SIGKILL"));
    child.on("close", (code) => {
      release();
      clearTimeout(timer);
      this.children.delete(child);
      let text = Buffer.concat(out).toString();
      if (mode === "proof" && this.machine.tamperProof) text = alterFirstRow(text);
      done(code ?? 1, text);
    });
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
    for (const c of this.children) c.kill("SIGKILL");
    this.children.clear();
    fs.rmSync(this.dir, { recursive: true, force: true });
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
