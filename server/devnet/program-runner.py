"""
The devnet machines' python3: one long-lived interpreter that runs the Proof of GPU script's runs one after
another, the script compiled once and what it imports (NumPy) loaded by the first run and kept. A fresh python3
per run cost ~0.12 s of CPU (interpreter, NumPy's import, the compile; four runs a machine, 64 machines a round),
and a fork per run ~25 ms on this kind of host: here a run costs its own work, a few milliseconds for the devnet's
128 x 128 challenge.

Requests come on stdin, one JSON object a line:
    {"id": 7, "script": "/tmp/devnet-machine-x/pog.py", "sha256": "<hex>", "mode": "compute", "cwd": "...",
     "env": {...}, "stdin": "<file or null>", "stdout": "<file>", "stderr": "<file>"}
and each run's end goes to stdout, {"id": 7, "code": 0}, one line.

The file's bytes run only if they hash to "sha256" (read once, here: the file cannot change between the check and
the run; else code 126). A run has "env" as its whole environment, "cwd" as its directory, the files as its
stdin, stdout and stderr, fresh globals, and the machine's resource limits, which hold for this process: address
space and file size, and 120 s of CPU counted from the run's start (past it the runner is killed, as is a run its
caller cancels; the caller starts a new runner). The runner exits when its stdin closes.
"""
import hashlib
import json
import os
import resource
import sys

RUN_CPU_S = 120
CPU_HARD = resource.getrlimit(resource.RLIMIT_CPU)[1]
for limit, value in ((resource.RLIMIT_AS, 4 << 30), (resource.RLIMIT_FSIZE, 64 << 20), (resource.RLIMIT_NOFILE, 64)):
    resource.setrlimit(limit, (value, value))

compiled = {}  # sha256 -> the script compiled (one: the script the console ships)


def program(req):
    """The request's script compiled, or None when its bytes are not the expected ones."""
    try:
        with open(req["script"], "rb") as f:
            source = f.read(1 << 20)
    except OSError:
        return None
    digest = hashlib.sha256(source).hexdigest()
    if digest != req["sha256"]:
        return None
    if digest not in compiled:
        compiled.clear()
        compiled[digest] = compile(source, req["script"], "exec")
    return compiled[digest]


def run(req):
    """One run, as `python3 <script> <mode>` would behave; returns its exit code."""
    code_obj = program(req)
    if code_obj is None:
        open(req["stdout"], "w").close()
        with open(req["stderr"], "w") as f:
            f.write(f"python3: {req['script']}: Permission denied (this machine runs the Proof of GPU script only)\n")
        return 126
    saved_fds = [os.dup(0), os.dup(1), os.dup(2)]
    saved = (sys.stdin, sys.stdout, sys.stderr, sys.argv, dict(os.environ), os.getcwd())
    used = sum(resource.getrusage(resource.RUSAGE_SELF)[:2])
    code = 1
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        files = (
            os.open(req["stdin"] or os.devnull, os.O_RDONLY),
            os.open(req["stdout"], flags, 0o600),
            os.open(req["stderr"], flags, 0o600),
        )
        for fd, target in zip(files, (0, 1, 2)):
            os.dup2(fd, target)
            os.close(fd)
        sys.stdin = open(0, encoding="utf-8", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False, buffering=1)
        os.chdir(req["cwd"])
        os.environ.clear()
        os.environ.update(req["env"])
        sys.argv = [req["script"], req["mode"]]
        resource.setrlimit(resource.RLIMIT_CPU, (int(used) + RUN_CPU_S, CPU_HARD))
        code = 0
        exec(code_obj, {"__name__": "__main__", "__file__": req["script"]})
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:  # what python3 would print and exit with
        sys.stderr.write(f"{type(e).__name__}: {e}\n")
        code = 1
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_HARD, CPU_HARD))
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        sys.stdin, sys.stdout, sys.stderr, sys.argv, env, cwd = saved
        for fd, target in zip(saved_fds, (0, 1, 2)):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
    return code & 0xFF


def main():
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    for line in requests:
        req = json.loads(line)
        answers.write((json.dumps({"id": req["id"], "code": run(req)}) + "\n").encode())
        answers.flush()


if __name__ == "__main__":
    main()
