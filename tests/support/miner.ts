import type { KeyringPair } from "@polkadot/keyring/types";
import { submissionMessage } from "@/server/validator/message";

/** A miner's POST /submit body, signed as the seed describes (URL-safe base64, padding optional). */
export function signedSubmission(pair: KeyringPair, fields: { expert_group: number; checkpoint_url: string; block_number: number }, pad = false) {
  const body = { hotkey: pair.address, ...fields };
  const sig = Buffer.from(pair.sign(new TextEncoder().encode(submissionMessage(body)))).toString("base64url");
  return { ...body, signature: pad ? sig + "=".repeat((4 - (sig.length % 4)) % 4) : sig };
}
