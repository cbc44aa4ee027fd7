/**
 * `npm start`: builds when there is no up-to-date production build, then runs the custom server.
 * A build is up to date when .next/BUILD_ID is newer than every source file.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const SOURCES = [
  "app",
  "components",
  "lib",
  "server",
  "prisma",
  "public",
  "proxy.ts",
  "next.config.js",
  "postcss.config.mjs",
  "package.json",
  "tsconfig.json",
];
const SKIP = new Set(["node_modules", "generated", ".next"]);

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(p))
    if (!SKIP.has(entry)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

function run(args: string[]) {
  execFileSync(process.execPath, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
}

process.env.NEXT_TELEMETRY_DISABLED = "1";
if (!fs.existsSync(path.join(root, "server/db/generated/sqlite/client.ts")))
  run([path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/prisma.ts", "generate"]);
const buildId = path.join(root, ".next", "BUILD_ID");
const built = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
if (built < Math.max(...SOURCES.map((s) => newestMtime(path.join(root, s))))) {
  console.log(
    built ? "Sources changed since the last build: building…" : "No production build yet: building (about a minute)…",
  );
  run([path.join(root, "node_modules/next/dist/bin/next"), "build"]);
}
Object.assign(process.env, { NODE_ENV: "production" });
require("../server/main");
