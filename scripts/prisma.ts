/**
 * Prisma tooling that works offline.
 *   generate            write prisma/postgres/schema.prisma from the source schema, generate both clients
 *   migration <name>    write a new migration for SQLite and Postgres from the change since the last one
 *                       (Postgres diffs need a reachable server: MIGRATION_PG_URL)
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(__dirname, "..");
const source = path.join(root, "prisma", "schema.prisma");
const pgSchema = path.join(root, "prisma", "postgres", "schema.prisma");
const snapshot = (kind: string) => path.join(root, "prisma", "migrations", kind, "schema.snapshot.prisma");

// Any existing file stops the CLI from downloading a schema engine; the WASM engines do the work.
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: "/bin/true",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  CHECKPOINT_DISABLE: "1",
};
const prismaBin = path.join(root, "node_modules", "prisma", "build", "index.js");

function prisma(args: string[], extraEnv: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [prismaBin, ...args], {
    cwd: root,
    env: { ...env, ...extraEnv },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
}

function writePostgresSchema(): void {
  const text = fs
    .readFileSync(source, "utf8")
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('url      = "file:./placeholder.db"', 'url      = "postgresql://localhost/placeholder"')
    .replace('output       = "../server/db/generated/sqlite"', 'output       = "../../server/db/generated/postgres"')
    .replace(
      "// The one source schema.",
      "// GENERATED from prisma/schema.prisma by scripts/prisma.ts: do not edit.\n// The one source schema.",
    );
  fs.mkdirSync(path.dirname(pgSchema), { recursive: true });
  fs.writeFileSync(pgSchema, text);
}

function generate(): void {
  writePostgresSchema();
  prisma(["generate", "--no-hints"], { PRISMA_SCHEMA: "prisma/schema.prisma" });
  prisma(["generate", "--no-hints"], { PRISMA_SCHEMA: "prisma/postgres/schema.prisma" });
}

function migration(name: string): void {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error("migration name: lower-case letters, digits and _");
  writePostgresSchema();
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  for (const [kind, schemaFile] of [
    ["sqlite", source],
    ["postgres", pgSchema],
  ] as const) {
    const from = fs.existsSync(snapshot(kind)) ? ["--from-schema-datamodel", snapshot(kind)] : ["--from-empty"];
    const extra: Record<string, string> = { PRISMA_SCHEMA: path.relative(root, schemaFile) };
    if (kind === "postgres")
      extra.DATABASE_URL = process.env.MIGRATION_PG_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres";
    const sql = prisma(["migrate", "diff", ...from, "--to-schema-datamodel", schemaFile, "--script"], extra);
    if (!/CREATE|ALTER|DROP/.test(sql)) {
      console.log(`${kind}: no change`);
      continue;
    }
    const dir = path.join(root, "prisma", "migrations", kind, `${stamp}_${name}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "migration.sql"), sql);
    fs.copyFileSync(schemaFile, snapshot(kind));
    console.log(`${kind}: wrote ${path.relative(root, dir)}/migration.sql`);
  }
}

const [cmd, arg] = process.argv.slice(2);
if (cmd === "generate") generate();
else if (cmd === "migration" && arg) migration(arg);
else {
  console.error("usage: tsx scripts/prisma.ts generate | migration <name>");
  process.exit(2);
}
