/**
 * A devnet rental's files and the three programs a Proof of GPU uses over SSH: `cat > /tmp/<file>` (upload),
 * `sha256sum /tmp/<file>` and `python3 /tmp/<file> <mode>`, which runs the uploaded script for real with
 * python3 and NumPy on this machine's CPU. POG_SIMULATE makes it answer gpu_info and benchmark as the
 * machine's GPUs would (the devnet has none); a machine that cheats reports a weaker GPU's figures, or has
 * its proof's row altered on the way out. Nothing else runs: other commands get the simulated machine's shell.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ServerChannel } from "ssh2";
import { gpuEntry } from "../compute";
import type { MachineProfile } from "./machines";

const UPLOAD = /^cat > \/tmp\/([\w.-]{1,64})$/;
const HASH = /^sha256sum \/tmp\/([\w.-]{1,64})$/;
const RUN = /^python3 \/tmp\/([\w.-]{1,64}) (gpu_info|benchmark|compute|proof)$/;
const MAX_UPLOAD = 1024 * 1024;
const RUN_TIMEOUT_MS = 120_000;

export class Workspace {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "devnet-machine-"));
  private children = new Set<ChildProcess>();

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
      const file = path.join(this.dir, m[1]);
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= MAX_UPLOAD) chunks.push(c);
      });
      stream.on("end", () => {
        if (size > MAX_UPLOAD) return done(1, "", "cat: file too large\n");
        fs.writeFileSync(file, Buffer.concat(chunks));
        done(0);
      });
      return;
    }
    m = HASH.exec(command);
    if (m) {
      const file = path.join(this.dir, m[1]);
      if (!fs.existsSync(file)) return done(1, "", `sha256sum: /tmp/${m[1]}: No such file or directory\n`);
      const hex = createHash("sha256").update(fs.readFileSync(file)).digest("hex");
      return done(0, `${hex}  /tmp/${m[1]}\n`);
    }
    m = RUN.exec(command);
    if (!m) return done(127);
    const [, name, mode] = m;
    const script = path.join(this.dir, name);
    if (!fs.existsSync(script)) return done(2, "", `python3: can't open file '/tmp/${name}'\n`);
    const simulate = this.simulation();
    const child = spawn("python3", [script, mode], {
      cwd: this.dir,
      env: {
        NODE_ENV: process.env.NODE_ENV,
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: this.dir,
        POG_STATE_DIR: path.join(this.dir, "state"),
        ...(simulate ? { POG_SIMULATE: simulate } : {}),
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
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
      clearTimeout(timer);
      this.children.delete(child);
      let text = Buffer.concat(out).toString();
      if (mode === "proof" && this.machine.tamperProof) text = alterFirstRow(text);
      done(code ?? 1, text);
    });
  }

  /** Ends running programs and deletes the files (the rental is over). */
  remove(): void {
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
