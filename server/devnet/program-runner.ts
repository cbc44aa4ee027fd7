/**
 * The devnet machines' python3 (program-runner.py): one interpreter, started on first use, that runs the Proof of
 * GPU script's runs one after another, NumPy loaded by the first and kept. One at a time: the devnet's machines
 * are this computer, and even at nice 19 busy programs on both cores slow the console's event loop (measured on 2
 * cores: /get_phase p99 under load went 1.7-1.9x with 16 busy loops beside it, 1.3-1.4x with one).
 */
import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { lazy } from "../global";
import { log } from "../log";

const RUNNER = path.join(__dirname, "program-runner.py");

export interface RunRequest {
  /** The uploaded file, run only if its bytes hash to `sha256`. */
  script: string;
  sha256: string;
  mode: string;
  cwd: string;
  /** The program's whole environment. */
  env: Record<string, string>;
  /** Files: stdin (null: empty), stdout and stderr. */
  stdin: string | null;
  stdout: string;
  stderr: string;
}

interface Job {
  id: number;
  request: RunRequest;
  ended: (code: number) => void;
}

/** A run's handle: `cancel` ends it (137), waiting or running. */
export interface Run {
  cancel(): void;
}

class ProgramRunner {
  private proc: ChildProcess | null = null;
  private queue: Job[] = [];
  private current: Job | null = null;
  private nextId = 1;

  run(request: RunRequest, ended: (code: number) => void): Run {
    const job: Job = { id: this.nextId++, request, ended };
    this.queue.push(job);
    this.pump();
    return { cancel: () => this.cancel(job) };
  }

  private cancel(job: Job): void {
    const waiting = this.queue.indexOf(job);
    if (waiting >= 0) {
      this.queue.splice(waiting, 1);
      job.ended(137);
    } else if (this.current === job) {
      // The run is the runner's work: the runner goes, the next run starts a new one.
      this.proc?.kill("SIGKILL");
    }
  }

  private pump(): void {
    if (this.current) return;
    const job = this.queue.shift();
    // Idle, the runner keeps nothing alive: it exits by itself when the devnet's end of its stdin closes.
    if (!job) return void this.proc?.unref();
    this.current = job;
    const proc = this.start();
    proc.ref();
    proc.stdin!.write(`${JSON.stringify({ id: job.id, ...job.request })}\n`);
  }

  private start(): ChildProcess {
    if (this.proc) return this.proc;
    const proc = spawn("python3", [RUNNER], {
      env: {
        NODE_ENV: "production",
        PATH: "/usr/local/bin:/usr/bin:/bin",
        LANG: "C.UTF-8",
        OPENBLAS_NUM_THREADS: "1",
        OMP_NUM_THREADS: "1",
      },
      stdio: ["pipe", "pipe", "inherit"],
    });
    this.proc = proc;
    if (proc.pid) {
      try {
        os.setPriority(proc.pid, 19);
      } catch {
        // not permitted here: it runs at normal priority
      }
    }
    proc.stdin!.on("error", () => undefined);
    // With the process unref'd, its pipes keep nothing alive either.
    (proc.stdout as unknown as { unref(): void }).unref();
    (proc.stdin as unknown as { unref(): void }).unref();
    readline.createInterface({ input: proc.stdout! }).on("line", (line) => this.answer(line));
    // Gone (exited, killed, or never started): the run it had ends as killed; the next run starts a new runner.
    const gone = () => {
      if (this.proc !== proc) return;
      this.proc = null;
      const job = this.current;
      this.current = null;
      job?.ended(137);
      this.pump();
    };
    proc.on("error", (e) => {
      log.warn({ err: e.message }, "devnet: the machines' python3 could not start");
      gone();
    });
    proc.on("exit", gone);
    return proc;
  }

  private answer(line: string): void {
    let a: { id?: number; code?: number };
    try {
      a = JSON.parse(line) as typeof a;
    } catch {
      return;
    }
    const job = this.current;
    if (!job || a.id !== job.id || typeof a.code !== "number") return;
    this.current = null;
    job.ended(a.code);
    this.pump();
  }
}

export const programRunner = lazy(() => new ProgramRunner());
