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

PyTorch on CUDA when present (what SN27 miners' containers have), else NumPy on the CPU; PyTorch is not even
imported where the NVIDIA driver's device is missing. POG_SIMULATE (JSON {"names": [...], "vram_gb": x,
"tflops_fp16": t, "tflops_fp32": t}) makes a CPU-only machine answer gpu_info and benchmark as those GPUs
would, while compute and proof run for real: the console's devnet uses it.
"""
import base64
import hashlib
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

STATE_DIR = os.environ.get("POG_STATE_DIR") or os.path.join(tempfile.gettempdir(), "pog-state")
MASK = 0xFFFFFFFF

# CUDA opens the NVIDIA driver's control device (a container with GPUs has it too; WSL has /dev/dxg): without
# it no GPU can be reached, and importing PyTorch (~1.5 s of CPU) is skipped.
torch = None
CUDA = False
if os.path.exists("/dev/nvidiactl") or os.path.exists("/dev/dxg"):
    try:
        import torch  # noqa: F401

        CUDA = torch.cuda.is_available()
    except Exception:  # no torch, or a broken install
        torch = None
        CUDA = False

# gpu_info and benchmark need no NumPy (~0.15 s of CPU to import): the modes that compute import it.
if __name__ != "__main__" or sys.argv[1:2] not in (["gpu_info"], ["benchmark"]):
    import numpy as np


def simulated():
    raw = os.environ.get("POG_SIMULATE")
    return json.loads(raw) if raw else None


def emit(obj):
    sys.stdout.write(json.dumps(obj, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def read_input():
    req = json.loads(sys.stdin.read(1 << 20) or "{}")
    if not isinstance(req, dict):
        raise Refused("the input is one JSON object")
    return req


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
    """The uint32 state after 10 rounds of xorshift32 for cells (i, j) (arrays): uint32 arithmetic wraps as C's."""
    x = ((np.uint64(seed % 2**32) + i.astype(np.uint64) % np.uint64(2**32) + j.astype(np.uint64)) & np.uint64(MASK)).astype(np.uint32)
    for _ in range(10):
        x ^= x << np.uint32(13)
        x ^= x >> np.uint32(17)
        x ^= x << np.uint32(5)
    return x


# Cells generated per block: a block's temporaries are a few times 8 x CHUNK bytes, whatever n is.
CHUNK = 1 << 24


def matrix_numpy(seed, n):
    """The n x n challenge matrix on the CPU, block of rows by block of rows (bounded temporaries)."""
    out = np.empty((n, n), dtype=np.float32)
    j = np.arange(n, dtype=np.uint64)
    rows = max(1, CHUNK // n)
    for r0 in range(0, n, rows):
        i = np.arange(r0, min(r0 + rows, n), dtype=np.uint64)[:, None]
        out[r0 : r0 + len(i)] = prng_states(seed, i, j[None, :]).astype(np.float32) / np.float32(MASK)
    return out


def matrix_torch(seed, n, device):
    """
    The same matrix generated where the product is computed: uint32 xorshift emulated in int64 tensors (every
    intermediate stays below 2^45, shifts and masks are exact), converted to float32 and divided by
    float32(0xFFFFFFFF) = 2^32 (exact). Bit-identical to matrix_numpy; the unit tests check it on CPU PyTorch.
    """
    out = torch.empty((n, n), dtype=torch.float32, device=device)
    j = torch.arange(n, dtype=torch.int64, device=device)[None, :]
    rows = max(1, CHUNK // n)
    s = seed % 2**32
    for r0 in range(0, n, rows):
        i = torch.arange(r0, min(r0 + rows, n), dtype=torch.int64, device=device)[:, None]
        x = (i + j + s).bitwise_and_(MASK)
        for _ in range(10):
            x.bitwise_xor_((x << 13).bitwise_and_(MASK))
            x.bitwise_xor_(x >> 17)
            x.bitwise_xor_((x << 5).bitwise_and_(MASK))
        out[r0 : r0 + x.shape[0]] = x.to(torch.float32).div_(float(np.float32(MASK)))
        del x
    return out


def hash_rows(C):
    """SHA-256 of every row of C (C-contiguous float32): row blocks on threads (hashlib releases the GIL)."""
    n = C.shape[0]
    leaves = [b""] * n
    workers = max(1, min(os.cpu_count() or 1, 32, n))
    step = (n + workers - 1) // workers

    def block(r0):
        for r in range(r0, min(r0 + step, n)):
            leaves[r] = hashlib.sha256(C[r]).digest()

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(block, range(0, n, step)))
    return leaves


def merkle(C):
    level = hash_rows(C)
    tree = [level]
    while len(level) > 1:
        level = [hashlib.sha256(level[k] + (level[k + 1] if k + 1 < len(level) else level[k])).digest() for k in range(0, len(level), 2)]
        tree.append(level)
    return tree


class Refused(Exception):
    """A request the script answers with a JSON error (bad input, no matching state)."""


def seed_pairs(raw, count):
    if not isinstance(raw, list) or not raw:
        raise Refused("seeds must be a non-empty list of [seed_a, seed_b]")
    pairs = []
    for pair in raw[:count]:
        if not isinstance(pair, list) or len(pair) != 2:
            raise Refused("each seed pair is [seed_a, seed_b]")
        try:
            a, b = int(pair[0]), int(pair[1])
        except (TypeError, ValueError):
            raise Refused("seeds are integers") from None
        if not (0 <= a < 2**64 and 0 <= b < 2**64):
            raise Refused("seeds are 64-bit unsigned integers")
        pairs.append([str(a), str(b)])
    return pairs


def state_path(name):
    return os.path.join(STATE_DIR, name)


def compute():
    req = read_input()
    n = req.get("n")
    if not isinstance(n, int) or not 1 <= n <= 65536:
        raise Refused("n must be an integer from 1 to 65536")
    pairs = seed_pairs(req.get("seeds"), max(device_count(), 1))
    os.makedirs(STATE_DIR, exist_ok=True)
    # The previous challenge's state goes first: a compute that fails leaves nothing proof would answer from.
    if os.path.exists(state_path("state.json")):
        os.remove(state_path("state.json"))
    roots, timings = [], []
    for gpu, (seed_a, seed_b) in enumerate(pairs):
        t = time.time()
        if CUDA:
            dev = torch.device(f"cuda:{gpu}")
            a, b = matrix_torch(int(seed_a), n, dev), matrix_torch(int(seed_b), n, dev)
            torch.cuda.synchronize(dev)
        else:
            a, b = matrix_numpy(int(seed_a), n), matrix_numpy(int(seed_b), n)
        generated = time.time()
        # C lands in a memory-mapped file: copied from the GPU once, read back by proof row by row.
        C = np.lib.format.open_memmap(state_path(f"C_{gpu}.npy"), mode="w+", dtype="<f4", shape=(n, n))
        if CUDA:
            c = torch.matmul(a, b)
            del a, b
            torch.cuda.synchronize(dev)
            multiplied = time.time()
            torch.from_numpy(np.asarray(C)).copy_(c)
            del c
            torch.cuda.empty_cache()
        else:
            np.matmul(a, b, out=C)
            del a, b
            multiplied = time.time()
        tree = merkle(C)
        C.flush()
        del C
        with open(state_path(f"tree_{gpu}.bin"), "wb") as f:
            for level in tree:
                f.write(b"".join(level))
        done = time.time()
        roots.append([gpu, tree[-1][0].hex()])
        timings.append([gpu, {"n": n, "generation_time": generated - t, "multiplication_time": multiplied - generated, "merkle_tree_time": done - multiplied}])
    with open(state_path("state.json"), "w") as f:
        json.dump({"n": n, "seeds": pairs}, f)
    emit({"root_hashes": roots, "timings": timings})


def level_sizes(n):
    sizes = [n]
    while sizes[-1] > 1:
        sizes.append((sizes[-1] + 1) // 2)
    return sizes


def proof():
    req = read_input()
    try:
        with open(state_path("state.json")) as f:
            state = json.load(f)
    except FileNotFoundError:
        raise Refused("nothing computed: run compute first") from None
    n = state["n"]
    if req.get("n") != n or seed_pairs(req.get("seeds"), len(state["seeds"])) != state["seeds"]:
        raise Refused("proof answers only for the n and seeds last computed")
    indices = req.get("indices")
    if not isinstance(indices, list) or len(indices) > len(state["seeds"]):
        raise Refused("indices: one list of cells per GPU computed")
    sizes = level_sizes(n)
    offsets = [sum(sizes[:k]) for k in range(len(sizes))]
    out = []
    for gpu, cells in enumerate(indices):
        if not isinstance(cells, list) or len(cells) > 1024:
            raise Refused("each GPU's cells: a list of at most 1024 [i, j]")
        C = np.load(state_path(f"C_{gpu}.npy"), mmap_mode="r")
        answers = []
        with open(state_path(f"tree_{gpu}.bin"), "rb") as tree:
            for cell in cells:
                if not (isinstance(cell, list) and len(cell) == 2 and all(isinstance(v, int) and 0 <= v < n for v in cell)):
                    raise Refused(f"cells are [i, j] with 0 <= i, j < {n}")
                i, j = cell
                path, idx = [], i
                for size, offset in zip(sizes[:-1], offsets):
                    sibling = idx ^ 1 if (idx ^ 1) < size else idx
                    tree.seek((offset + sibling) * 32)
                    path.append(tree.read(32).hex())
                    idx //= 2
                row = np.ascontiguousarray(C[i, :], dtype="<f4")
                answers.append({"index": [i, j], "row": base64.b64encode(row.tobytes()).decode(), "proof": path})
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
    try:
        modes[mode]()
    except Refused as e:
        emit({"error": str(e)})
        sys.exit(1)
    except Exception as e:  # never a traceback: one JSON line, and the error's name on stderr
        sys.stderr.write(f"{type(e).__name__}: {e}\n")
        emit({"error": f"{mode} failed: {type(e).__name__}: {e}"[:500]})
        sys.exit(1)
