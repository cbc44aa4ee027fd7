/** Worker thread of the devnet's trainer: runs training rounds off the server's event loop. */
import { parentPort } from "node:worker_threads";
import { trainRound, type TrainingTask } from "./training";

parentPort!.on("message", (msg: { id: number; task: TrainingTask }) => {
  try {
    const weights = trainRound(msg.task);
    parentPort!.postMessage(
      { id: msg.id, weights },
      [...weights.values()].map((t) => t.buffer as ArrayBuffer),
    );
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
});
