import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Weights } from "../models/tiny-moe";
import type { TrainingTask } from "./training";

/**
 * The devnet miners' training, in one worker thread: SPSA is seconds of CPU per round, and on the
 * server's event loop it slowed every API answer while the miners trained. Tasks queue in the worker.
 */
export class Trainer {
  private worker: Worker | null = null;
  private next = 0;
  private pending = new Map<number, { resolve: (w: Weights) => void; reject: (e: Error) => void }>();

  private start(): Worker {
    const w = new Worker(path.join(__dirname, "train-worker.cjs"));
    w.on("message", (m: { id: number; weights?: Weights; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.weights) p?.resolve(m.weights);
      else p?.reject(new Error(m.error ?? "training failed"));
    });
    w.on("error", (e) => this.failAll(e));
    w.on("exit", () => {
      this.worker = null;
      this.failAll(new Error("the training worker stopped"));
    });
    w.unref();
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  train(task: TrainingTask): Promise<Weights> {
    this.worker ??= this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, task });
    });
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}
