import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb, type Db, Prisma } from "@/server/db";
import { migrate } from "@/server/db/migrate";
import { createTestDatabase } from "./server";

/** A migrated, empty database: TEST_DATABASE_URL (Postgres) when set, else a new SQLite file. */
export async function freshDb(): Promise<{ url: string; db: Db }> {
  const base = process.env.TEST_DATABASE_URL;
  const url = base
    ? await createTestDatabase(base)
    : `file:${path.join(fs.mkdtempSync(path.join(os.tmpdir(), "console-it-")), "console.db")}`;
  await migrate(url);
  return { url, db: createDb(url) };
}

/** Rows of one raw query against a running server's database (SQLite file or Postgres), read from outside it. */
export async function queryDatabase<T>(url: string, query: Prisma.Sql): Promise<T[]> {
  const db = createDb(url);
  try {
    return await db.$queryRaw<T[]>(query);
  } finally {
    await db.$disconnect();
  }
}

/** [netuid, neurons] for each subnet a running server's database holds, by netuid. */
export async function neuronsPerSubnet(url: string): Promise<Array<[number, number]>> {
  const rows = await queryDatabase<{ netuid: number; n: bigint | number }>(
    url,
    Prisma.sql`SELECT "netuid", COUNT(*) AS "n" FROM "Neuron" GROUP BY "netuid" ORDER BY "netuid"`,
  );
  return rows.map((r) => [r.netuid, Number(r.n)]);
}
