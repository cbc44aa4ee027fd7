#!/usr/bin/env python3
"""
Proof of GPU, the miner's side: run on a rented compute miner over SSH by the Subnet Console.

    python3 check.py gpu_info
    python3 check.py benchmark
    python3 check.py compute < {"n": 4096, "seeds": [[seed_a, seed_b], ...]}      (one pair per GPU)
    python3 check.py proof   < {"indices": [[[i, j], ...], ...]}                   (per GPU)
    python3 check.py prng    < {"seed": s, "cells": [[i, j], ...]}                 (test vectors)

Every mode prints one JSON object on its last line of output (never pickle). The matrices, the PRNG
(xorshift32 applied 10 times to (seed + i + j) mod 2^32, divided by 0xFFFFFFFF, float32) and the Merkle tree
(SHA-256 over the rows of C as float32 little-endian bytes, pairs hashed left + right, an odd node paired
with itself) are those of SN27's proof of GPU, so the console recomputes C[i, j] and the path from the seeds.

PyTorch on CUDA when present (what SN27 miners' containers have), else NumPy on the CPU. POG_SIMULATE (JSON
{"names": [...], "vram_gb": x, "tflops_fp16": t, "tflops_fp32": t}) makes a CPU-only machine answer gpu_info
and benchmark as those GPUs would, while compute and proof run for real: the console's devnet uses it.
"""
import base64
import hashlib
import json
import os
import sys
import tempfile
import time

STATE_DIR = os.environ.get("POG_STATE_DIR") or os.path.join(tempfile.gettempdir(), "pog-state")
MASK = 0xFFFFFFFF

try:
    import torch  # noqa: F401

    CUDA = torch.cuda.is_available()
except Exception:  # no torch, or a broken install
    torch = None
    CUDA = False

import numpy as np


def simulated():
    raw = os.environ.get("POG_SIMULATE")
    return json.loads(raw) if raw else None


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def read_input():
    return json.loads(sys.stdin.read() or "{}")


def device_count():
    if CUDA:
        return torch.cuda.device_count()
    sim = simulated()
    return len(sim["names"]) if sim else 0


def gpu_info():
    if CUDA:
        n = torch.cuda.device_count()
        emit({"num_gpus": n, "gpu_names": [torch.cuda.get_device_name(i) for i in range(n)]})
    else:
        sim = simulated()
        emit({"num_gpus": len(sim["names"]), "gpu_names": sim["names"]} if sim else {"num_gpus": 0, "gpu_names": []})


def adjust_matrix_size(vram_gb, element_size=2, buffer_factor=0.8):
    usable = vram_gb * buffer_factor * 1e9
    return (int((usable / (2 * element_size)) ** 0.5) // 32) * 32


def benchmark():
    sim = simulated()
    if CUDA:
        # Upstream's probe: each tensor stays bound while the next (twice as large) is allocated, so the figure
        # is about half the card (68.72 GB on an H200, 34.36 on an H100 80GB: the table's values), and the
        # benchmark's matrices sized from it fit.
        total = 1024 * 1024
        tensor = None
        try:
            while True:
                tensor = torch.empty((total,), dtype=torch.float16, device="cuda")
                total *= 2
        except RuntimeError:
            total //= 2
        del tensor
        torch.cuda.empty_cache()
        vram = total * 2 / 1e9

        def timed(size, dtype):
            a = torch.randn(size, size, dtype=dtype, device="cuda")
            b = torch.randn(size, size, dtype=dtype, device="cuda")
            torch.cuda.synchronize()
            t = time.time()
            torch.matmul(a, b)
            torch.cuda.synchronize()
            return time.time() - t

        n16, n32 = adjust_matrix_size(vram, 2, 1.0), adjust_matrix_size(vram, 4, 0.5)
        emit({"num_gpus": torch.cuda.device_count(), "vram_gb": vram, "size_fp16": n16, "time_fp16": timed(n16, torch.float16), "size_fp32": n32, "time_fp32": timed(n32, torch.float32)})
    elif sim:
        # The figures those GPUs would give: TFLOPS = 2 n^3 / t / 1e12.
        vram = sim["vram_gb"]
        n16, n32 = adjust_matrix_size(vram, 2, 1.0), adjust_matrix_size(vram, 4, 0.5)
        emit({"num_gpus": len(sim["names"]), "vram_gb": vram, "size_fp16": n16, "time_fp16": 2 * n16**3 / (sim["tflops_fp16"] * 1e12), "size_fp32": n32, "time_fp32": 2 * n32**3 / (sim["tflops_fp32"] * 1e12)})
    else:
        emit({"error": "no GPU"})


def prng_states(seed, i, j):
    """The uint32 state after 10 rounds of xorshift32 for cells (i, j) (arrays), as uint64."""
    x = (np.uint64(seed % 2**32) + i.astype(np.uint64) % np.uint64(2**32) + j.astype(np.uint64)) & np.uint64(MASK)
    for _ in range(10):
        x ^= (x << np.uint64(13)) & np.uint64(MASK)
        x ^= (x >> np.uint64(17)) & np.uint64(MASK)
        x ^= (x << np.uint64(5)) & np.uint64(MASK)
        x &= np.uint64(MASK)
    return x


def matrix(seed, n):
    i = np.repeat(np.arange(n, dtype=np.uint64), n)
    j = np.tile(np.arange(n, dtype=np.uint64), n)
    return (prng_states(seed, i, j).astype(np.float32) / np.float32(MASK)).reshape(n, n)


def merkle(C):
    level = [hashlib.sha256(C[r, :].tobytes()).digest() for r in range(C.shape[0])]
    tree = [level]
    while len(level) > 1:
        level = [hashlib.sha256(level[k] + (level[k + 1] if k + 1 < len(level) else level[k])).digest() for k in range(0, len(level), 2)]
        tree.append(level)
    return tree


def compute():
    req = read_input()
    n = int(req["n"])
    if not 1 <= n <= 65536:
        return emit({"error": "n out of range"})
    os.makedirs(STATE_DIR, exist_ok=True)
    roots, timings = [], []
    for gpu, (seed_a, seed_b) in enumerate(req["seeds"][: max(device_count(), 1)]):
        t = time.time()
        if CUDA:
            dev = torch.device(f"cuda:{gpu}")
            a = torch.from_numpy(matrix(int(seed_a), n)).to(dev)
            b = torch.from_numpy(matrix(int(seed_b), n)).to(dev)
        else:
            a, b = matrix(int(seed_a), n), matrix(int(seed_b), n)
        generated = time.time()
        if CUDA:
            c = torch.matmul(a, b)
            torch.cuda.synchronize(dev)
            multiplied = time.time()
            C = c.cpu().numpy()
        else:
            C = np.matmul(a, b)
            multiplied = time.time()
        tree = merkle(C)
        done = time.time()
        np.save(os.path.join(STATE_DIR, f"C_{gpu}.npy"), C)
        with open(os.path.join(STATE_DIR, f"tree_{gpu}.json"), "w") as f:
            json.dump([[h.hex() for h in level] for level in tree], f)
        roots.append([gpu, tree[-1][0].hex()])
        timings.append([gpu, {"n": n, "generation_time": generated - t, "multiplication_time": multiplied - generated, "merkle_tree_time": done - multiplied}])
    emit({"root_hashes": roots, "timings": timings})


def proof():
    req = read_input()
    out = []
    for gpu, cells in enumerate(req["indices"]):
        C = np.load(os.path.join(STATE_DIR, f"C_{gpu}.npy"))
        with open(os.path.join(STATE_DIR, f"tree_{gpu}.json")) as f:
            tree = json.load(f)
        answers = []
        for i, j in cells:
            path, idx = [], int(i)
            for level in tree[:-1]:
                sibling = idx ^ 1
                path.append(level[sibling] if sibling < len(level) else level[idx])
                idx //= 2
            row = np.ascontiguousarray(C[int(i), :], dtype="<f4")
            answers.append({"index": [int(i), int(j)], "row": base64.b64encode(row.tobytes()).decode(), "proof": path})
        out.append(answers)
    emit({"responses": out})


def prng():
    req = read_input()
    cells = np.array(req["cells"], dtype=np.uint64).reshape(-1, 2)
    states = prng_states(int(req["seed"]), cells[:, 0], cells[:, 1])
    emit({"states": [int(s) for s in states], "values": [float(v) for v in states.astype(np.float32) / np.float32(MASK)]})


if __name__ == "__main__":
    modes = {"gpu_info": gpu_info, "benchmark": benchmark, "compute": compute, "proof": proof, "prng": prng}
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in modes:
        emit({"error": f"mode must be one of {sorted(modes)}"})
        sys.exit(2)
    modes[mode]()
