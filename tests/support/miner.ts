import type { KeyringPair } from "@polkadot/keyring/types";
import { signSubmission } from "@/server/validator/message";

/** A miner's POST /submit body, signed as the seed describes (URL-safe base64, padding optional). */
export function signedSubmission(
  pair: KeyringPair,
  fields: { expert_group: number; checkpoint_url: string; block_number: number },
  pad = false,
) {
  const body = signSubmission(pair, fields);
  const sig = body.signature;
  return { ...body, signature: pad ? sig + "=".repeat((4 - (sig.length % 4)) % 4) : sig };
}
