/** Worker thread that verifies hotkey signatures (sr25519 in WASM) off the server's event loop. */
import { serveCalls } from "../workers";
import { cryptoReady } from "./hotkey";
import { verifyHotkeySignature } from "./signature";

serveCalls(async (r: { message: string; signature: string; address: string }) => {
  await cryptoReady;
  return verifyHotkeySignature(r.message, r.signature, r.address);
});
