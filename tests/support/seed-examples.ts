/** The examples of seed 002 (SN owner phase API), used by the unit and HTTP tests alike. */

export const SEED_ROOT = {
  message: "Phase service is running",
  cycle_length: 45,
  phases: [
    { index: 0, name: "Distribute", length: 5 },
    { index: 1, name: "Train", length: 20 },
    { index: 2, name: "MinerCommit1", length: 3 },
    { index: 3, name: "MinerCommit2", length: 3 },
    { index: 4, name: "Submission", length: 3 },
    { index: 5, name: "Validate", length: 3 },
    { index: 6, name: "Merge", length: 3 },
    { index: 7, name: "ValidatorCommit1", length: 3 },
    { index: 8, name: "ValidatorCommit2", length: 2 },
  ],
};

/** GET /get_phase at block 54321. */
export const SEED_PHASE = {
  block: 54321,
  cycle_length: 45,
  cycle_index: 1207,
  cycle_block_index: 6,
  phase_name: "Train",
  phase_index: 1,
  phase_start_block: 54320,
  phase_end_block: 54339,
  blocks_into_phase: 1,
  blocks_remaining_in_phase: 18,
};

/** GET /previous_phase_blocks: the seed's sample, which the documented rule gives at block 54315. */
export const SEED_PREVIOUS_AT_54315 = {
  Distribute: [54270, 54274],
  Train: [54275, 54294],
  MinerCommit1: [54295, 54297],
  MinerCommit2: [54298, 54300],
  Submission: [54301, 54303],
  Validate: [54304, 54306],
  Merge: [54307, 54309],
  ValidatorCommit1: [54310, 54312],
  ValidatorCommit2: [54313, 54314],
};
