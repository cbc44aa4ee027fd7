import path from "node:path";
import { lazy } from "../global";
import { WorkerClient } from "../workers";
import { verifyHotkeySignature } from "./signature";

const worker = lazy(
  () =>
    new WorkerClient<{ message: string; signature: string; address: string }, boolean>(
      path.join(__dirname, "verify-worker.cjs"),
    ),
);

/** Starts the worker (and its WASM) now, so the first submission does not wait for it. */
export function warmVerifier(): void {
  void worker()
    .call({ message: "", signature: "", address: "" })
    .catch(() => undefined);
}

/**
 * verifyHotkeySignature in a worker thread: a burst of signed submissions is verified beside the event
 * loop instead of on it. Falls back to this thread if the worker cannot run.
 */
export async function verifyHotkeySignatureOffThread(
  message: string,
  signature: string,
  address: string,
): Promise<boolean> {
  try {
    return await worker().call({ message, signature, address });
  } catch {
    return verifyHotkeySignature(message, signature, address);
  }
}
