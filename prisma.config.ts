// Prisma CLI configuration. Offline, the CLI runs on its WASM engines through a driver adapter; it is
// used only for `generate` and `migrate diff` (scripts/prisma.ts). The application applies migrations
// itself at start (server/db/migrate.ts).
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";

const schema = process.env.PRISMA_SCHEMA ?? "prisma/schema.prisma";
const postgres = schema.includes("postgres");

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema,
  async adapter() {
    return postgres
      ? new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://localhost:5432/unused" })
      : new PrismaBetterSQLite3({ url: "file::memory:" });
  },
});
