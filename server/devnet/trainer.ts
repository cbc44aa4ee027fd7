import path from "node:path";
import type { Weights } from "../models/tiny-moe";
import { WorkerClient } from "../workers";
import type { TrainingTask } from "./training";

/**
 * The devnet miners' training, in one worker thread: SPSA is seconds of CPU per round, and on the
 * server's event loop it slowed every API answer while the miners trained. Tasks queue in the worker.
 */
export class Trainer {
  private client = new WorkerClient<TrainingTask, Weights>(path.join(__dirname, "train-worker.cjs"));

  train(task: TrainingTask): Promise<Weights> {
    return this.client.call(task);
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}
