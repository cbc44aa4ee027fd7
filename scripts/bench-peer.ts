/** A Python peer for the benches: an app of scripts/peers under uvicorn (one worker), when python3 has what it needs. */
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { freePort, ROOT } from "../tests/support/server";

/**
 * Starts `module:app` from scripts/peers and waits until `readyPath` answers; null when no python3 on PATH
 * (Debian's, after a pyenv one) can import `imports`.
 */
export async function startPythonPeer(opts: {
  app: string;
  imports: string[];
  readyPath: string;
  env?: Record<string, string>;
}): Promise<{ url: string; stop: () => void } | null> {
  const python = ["python3", "/usr/bin/python3"].find(
    (p) => spawnSync(p, ["-c", `import ${opts.imports.join(", ")}`]).status === 0,
  );
  if (!python) return null;
  const port = await freePort();
  const child = spawn(
    python,
    [
      "-m",
      "uvicorn",
      "--app-dir",
      path.join(ROOT, "scripts/peers"),
      opts.app,
      "--port",
      String(port),
      "--log-level",
      "warning",
    ],
    { env: { ...process.env, ...opts.env }, stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}${opts.readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, stop: () => child.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  return null;
}
