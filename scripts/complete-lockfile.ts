/**
 * Adds lock entries for platform-specific optional packages that the registry mirror of this build
 * machine does not serve (e.g. @next/swc-darwin-arm64). Without them `npm ci` refuses the lock as out of
 * sync. Each entry carries its os/cpu, so npm skips it on other platforms and fetches it where it fits.
 * Run after `npm install` changes package-lock.json: `npx tsx scripts/complete-lockfile.ts`.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const lockPath = path.resolve(__dirname, "..", "package-lock.json");
const lock = JSON.parse(fs.readFileSync(lockPath, "utf8")) as { packages: Record<string, Record<string, unknown>> };

function platformOf(name: string): { os?: string[]; cpu: string[]; libc?: string[] } | null {
  const m = /-(darwin|win32|linux|android|freebsd|wasm32)-?([a-z0-9]+)?(?:-(gnu|musl|msvc|gnueabihf|wasi))?$/.exec(
    name,
  );
  if (!m) return null;
  if (m[1] === "wasm32") return { cpu: ["wasm32"] };
  const cpu = m[2] ?? "";
  const libc = m[3] === "gnu" || m[3] === "gnueabihf" ? ["glibc"] : m[3] === "musl" ? ["musl"] : undefined;
  return { os: [m[1]], cpu: [cpu], ...(libc ? { libc } : {}) };
}

let added = 0;
for (const [key, pkg] of Object.entries(lock.packages)) {
  const optional = (pkg.optionalDependencies ?? {}) as Record<string, string>;
  for (const [name, version] of Object.entries(optional)) {
    const entry = `node_modules/${name}`;
    if (lock.packages[entry] || lock.packages[`${key}/${entry}`]) continue;
    const platform = platformOf(name);
    if (!platform) continue;
    let license = "MIT";
    try {
      license =
        execFileSync("npm", ["view", `${name}@${version}`, "license"], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        }).trim() || license;
    } catch {
      // not served here: keep the parent's usual licence
    }
    lock.packages[entry] = { version, ...platform, license, optional: true };
    added++;
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`added ${added} platform entries`);
