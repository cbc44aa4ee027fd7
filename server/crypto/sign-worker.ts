/** Worker thread that makes sr25519 signatures (WASM) off the server's event loop. */
import { decodePair } from "@polkadot/keyring/pair/decode";
import { stringToU8a, u8aToHex } from "@polkadot/util";
import { sr25519Sign } from "@polkadot/util-crypto";
import { serveCalls } from "../workers";
import { cryptoReady } from "./signature";

serveCalls(async (r: { pkcs8: Uint8Array; message: string }) => {
  await cryptoReady;
  const { publicKey, secretKey } = decodePair(undefined, r.pkcs8, "none");
  return u8aToHex(sr25519Sign(stringToU8a(r.message), { publicKey, secretKey }));
});
