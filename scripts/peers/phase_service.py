"""
A FastAPI phase service as subnet owners run it (seed 002), for `npm run bench phases`: the peer that
Subnet Console's /get_phase is measured against in the same run. The head advances on a clock
(BLOCK_TIME_MS from START_BLOCK) instead of a chain subscription, so the peer does no network I/O either.

Run: python3 -m uvicorn --app-dir scripts/peers phase_service:app --port 8000 --log-level warning
"""
import os
import time

from fastapi import FastAPI, HTTPException

PHASES = [
    ("Distribute", 5), ("Train", 20), ("MinerCommit1", 3), ("MinerCommit2", 3), ("Submission", 3),
    ("Validate", 3), ("Merge", 3), ("ValidatorCommit1", 3), ("ValidatorCommit2", 2),
]
CYCLE = sum(length for _, length in PHASES)
STARTS = [sum(length for _, length in PHASES[:i]) for i in range(len(PHASES))]
START_BLOCK = int(os.environ.get("START_BLOCK", "54321"))
BLOCK_TIME_S = int(os.environ.get("BLOCK_TIME_MS", "12000")) / 1000
T0 = time.monotonic()

app = FastAPI()


def head() -> int:
    return START_BLOCK + int((time.monotonic() - T0) / BLOCK_TIME_S)


@app.get("/get_phase")
def get_phase():
    block = head()
    if block < 0:
        raise HTTPException(status_code=400, detail="Invalid block input")
    index_in_cycle = block % CYCLE
    for i, (name, length) in enumerate(PHASES):
        if STARTS[i] <= index_in_cycle < STARTS[i] + length:
            start = block - index_in_cycle + STARTS[i]
            return {
                "block": block,
                "cycle_length": CYCLE,
                "cycle_index": block // CYCLE,
                "cycle_block_index": index_in_cycle,
                "phase_name": name,
                "phase_index": i,
                "phase_start_block": start,
                "phase_end_block": start + length - 1,
                "blocks_into_phase": index_in_cycle - STARTS[i],
                "blocks_remaining_in_phase": STARTS[i] + length - index_in_cycle - 1,
            }
    raise HTTPException(status_code=400, detail="Invalid block input")
