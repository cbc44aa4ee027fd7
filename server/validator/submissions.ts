import { randomUUID } from "node:crypto";
import { verifyHotkeySignatureOffThread } from "../crypto/verifier";
import { BadRequestError, LockedError, UnavailableError } from "../errors";
import { currentVersion } from "../models";
import { currentBlock, phaseAt, schedule } from "../phases";
import { submissionMessage } from "./message";
import { insertSubmission } from "./submission-writer";
import { checkMinerForGroup } from "./downloads";

export { EVALUATE_JOB } from "./submission-writer";

/** Absolute [start, end] of the phase called `name` in the cycle of `block`, or null. */
export function phaseRange(block: number, name: string): [number, number] | null {
  const s = schedule();
  const i = s.phases.findIndex((p) => p.name === name);
  if (i < 0) return null;
  const cycleStart = block - (block % s.cycleLength);
  return [cycleStart + s.starts[i], cycleStart + s.starts[i] + s.phases[i].length - 1];
}

/** Appends a step to a submission's log. */
export function step(state: string, detail?: string): [string, string, string | null] {
  return [new Date().toISOString(), state, detail ?? null];
}

export interface SubmitInput {
  hotkey: string;
  expert_group: number;
  checkpoint_url: string;
  block_number: number;
  signature: string;
}

/**
 * Accepts a signed checkpoint submission in the Submission phase: one per hotkey and block (a unique
 * constraint, so concurrent duplicates yield exactly one acceptance), queued for evaluation in the same
 * transaction.
 */
export async function submitCheckpoint(input: SubmitInput) {
  const head = currentBlock();
  const phase = phaseAt(head, schedule());
  if (phase.phase_name !== "Submission")
    throw new LockedError(`Not currently in submit phase (phase is ${phase.phase_name})`);
  if (!(await verifyHotkeySignatureOffThread(submissionMessage(input), input.signature, input.hotkey)))
    throw new BadRequestError("Invalid signature");
  const version = currentVersion();
  if (!version) throw new UnavailableError("Model has not finished loading");
  if (!version.catalog.groups.some((g) => g.id === input.expert_group))
    throw new BadRequestError(`Unknown expert group ${input.expert_group}`);
  if (input.block_number > head)
    throw new BadRequestError(`block_number ${input.block_number} is in the future (head is ${head})`);
  const train = phaseRange(head, "Train");
  if (!train || input.block_number < train[0]) {
    throw new BadRequestError(
      `block_number ${input.block_number} is outside the cycle that just trained (blocks ${train?.[0] ?? "?"}..${head})`,
    );
  }
  const neuron = await checkMinerForGroup(input.hotkey, input.expert_group);

  const id = randomUUID();
  await insertSubmission({
    id,
    hotkey: input.hotkey,
    uid: neuron.uid,
    expertGroup: input.expert_group,
    checkpointUrl: input.checkpoint_url,
    blockNumber: input.block_number,
    signature: input.signature,
    round: phase.cycle_index,
    versionId: version.id,
    steps: JSON.stringify([step("queued")]),
    createdAt: new Date(),
  });
  const validate = phaseRange(head, "Validate");
  return {
    status: "accepted" as const,
    submission_id: id,
    evaluation_eta_blocks: validate ? Math.max(0, validate[1] - head) : 0,
  };
}
