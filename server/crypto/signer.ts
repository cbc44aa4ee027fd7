import path from "node:path";
import type { KeyringPair } from "@polkadot/keyring/types";
import { u8aToHex } from "@polkadot/util";
import { lazy } from "../global";
import { WorkerClient } from "../workers";

const worker = lazy(
  () => new WorkerClient<{ pkcs8: Uint8Array; message: string }, string>(path.join(__dirname, "sign-worker.cjs")),
);

/**
 * Signs with `pair` in a worker thread (sr25519 in WASM costs about a millisecond a signature: a burst of
 * calls to miners is signed beside the event loop). Other key types, or a worker that cannot run, sign here.
 * Its own thread, not the verifier's: sharing one doubled the added first-byte p99 of 500 concurrent
 * searches (0.15-0.19 s -> 0.88-1.84 s) to save its ~45 MB.
 */
export function offThreadSigner(pair: KeyringPair): (message: string) => Promise<string> {
  const here = async (message: string) => u8aToHex(pair.sign(new TextEncoder().encode(message)));
  if (pair.type !== "sr25519") return here;
  const pkcs8 = pair.encodePkcs8();
  return async (message) => {
    try {
      return await worker().call({ pkcs8, message });
    } catch {
      return here(message);
    }
  };
}
