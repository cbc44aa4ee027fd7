import fs from "node:fs";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client";

/** Prisma.sql / Prisma.join for raw statements (one runtime serves both generated clients). */
export { Prisma } from "./generated/sqlite/client";
/** Row types (the same for both providers). */
export type { Allocation } from "./generated/sqlite/client";
import { PrismaClient as PostgresClient } from "./generated/postgres/client";
import { config } from "../env";
import { lazy } from "../global";

/** Both generated clients have the same models; the SQLite one's type stands for both. */
export type Db = SqliteClient;

/** Resolves `file:./x.db` relative to the working directory and makes sure its folder exists. */
export function sqlitePath(url: string): string {
  const file = path.resolve(url.slice("file:".length));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return file;
}

export function createDb(url: string): Db {
  if (url.startsWith("file:")) {
    return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: sqlitePath(url), timeout: 10_000 }) });
  }
  const adapter = new PrismaPg({ connectionString: url, max: 10 });
  return new PostgresClient({ adapter }) as unknown as Db;
}

export const db = lazy<Db>(() => createDb(config().DATABASE_URL));

export async function closeDb(): Promise<void> {
  const client = db.peek();
  if (client) {
    db.set(undefined);
    await client.$disconnect();
  }
}

/** True when a Prisma error is a unique-constraint violation. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}
