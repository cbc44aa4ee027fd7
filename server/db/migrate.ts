import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { sqlitePath } from "./index";

/**
 * Applies the SQL migrations of prisma/migrations/<provider>/ in order, each once, each in its own
 * transaction, recording them in _console_migrations. The Prisma CLI cannot apply migrations offline
 * on every provider here, so the application does it itself, the same way on both.
 */
export interface MigrationResult {
  applied: string[];
  total: number;
}

/** The application's root folder (migrations ship with the code, wherever it is started from). */
const APP_ROOT = path.resolve(__dirname, "..", "..");

export function migrationsDir(kind: "sqlite" | "postgres", root = APP_ROOT): string {
  return path.join(root, "prisma", "migrations", kind);
}

function listMigrations(dir: string): Array<{ name: string; sql: string }> {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

export async function migrate(databaseUrl: string, root = APP_ROOT): Promise<MigrationResult> {
  if (databaseUrl.startsWith("file:")) return migrateSqlite(databaseUrl, root);
  return migratePostgres(databaseUrl, root);
}

function migrateSqlite(url: string, root: string): MigrationResult {
  const conn = new Database(sqlitePath(url));
  try {
    conn.pragma("journal_mode = WAL");
    conn.pragma("busy_timeout = 10000");
    conn.exec(`CREATE TABLE IF NOT EXISTS _console_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
    const done = new Set(
      conn
        .prepare("SELECT name FROM _console_migrations")
        .all()
        .map((r) => (r as { name: string }).name),
    );
    const all = listMigrations(migrationsDir("sqlite", root));
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.name)) continue;
      conn
        .transaction(() => {
          conn.exec(m.sql);
          conn
            .prepare("INSERT INTO _console_migrations (name, applied_at) VALUES (?, ?)")
            .run(m.name, new Date().toISOString());
        })
        .immediate();
      applied.push(m.name);
    }
    return { applied, total: all.length };
  } finally {
    conn.close();
  }
}

async function migratePostgres(url: string, root: string): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // One instance migrates at a time; the others wait on the advisory lock, then find nothing to do.
    await client.query("SELECT pg_advisory_lock(727274)");
    await client.query(
      `CREATE TABLE IF NOT EXISTS _console_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`,
    );
    const { rows } = await client.query<{ name: string }>("SELECT name FROM _console_migrations");
    const done = new Set(rows.map((r) => r.name));
    const all = listMigrations(migrationsDir("postgres", root));
    const applied: string[] = [];
    for (const m of all) {
      if (done.has(m.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query("INSERT INTO _console_migrations (name, applied_at) VALUES ($1, now())", [m.name]);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(e as Error).message}`);
      }
      applied.push(m.name);
    }
    return { applied, total: all.length };
  } finally {
    await client.query("SELECT pg_advisory_unlock(727274)").catch(() => undefined);
    await client.end();
  }
}
