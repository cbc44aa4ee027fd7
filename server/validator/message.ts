/**
 * The message a miner signs for POST /submit: the compact JSON of the four fields with sorted keys,
 * exactly as Python's json.dumps(d, sort_keys=True, separators=(",", ":")) writes it for ASCII input.
 */
export function submissionMessage(s: { block_number: number; checkpoint_url: string; expert_group: number; hotkey: string }): string {
  return JSON.stringify({ block_number: s.block_number, checkpoint_url: s.checkpoint_url, expert_group: s.expert_group, hotkey: s.hotkey });
}
