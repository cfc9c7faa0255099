import { integer, pgSchema, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/** Drizzle's view of `backplane.migrations` (created by apply-migrations.ts before anything else). */
export const migrationsTable = pgSchema("backplane").table(
  "migrations",
  {
    module: text("module").notNull(),
    version: integer("version").notNull(),
    name: text("name").notNull(),
    checksum: text("checksum").notNull(),
    appliedAt: timestamp("applied_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.module, table.version] })],
);
