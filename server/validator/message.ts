import { sign, type Signer } from "../crypto/hotkey";

/**
 * The message a miner signs for POST /submit: the compact JSON of the four fields with sorted keys,
 * exactly as Python's json.dumps(d, sort_keys=True, separators=(",", ":")) writes it for ASCII input.
 */
export function submissionMessage(s: {
  block_number: number;
  checkpoint_url: string;
  expert_group: number;
  hotkey: string;
}): string {
  return JSON.stringify({
    block_number: s.block_number,
    checkpoint_url: s.checkpoint_url,
    expert_group: s.expert_group,
    hotkey: s.hotkey,
  });
}

/** A POST /submit body signed by `pair` over the canonical message (URL-safe base64, unpadded). */
export function signSubmission(
  pair: Signer,
  fields: { expert_group: number; checkpoint_url: string; block_number: number },
) {
  const body = { hotkey: pair.address, ...fields };
  return {
    ...body,
    signature: Buffer.from(sign(pair, new TextEncoder().encode(submissionMessage(body)))).toString("base64url"),
  };
}
