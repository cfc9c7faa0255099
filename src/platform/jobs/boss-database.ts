import { type Db, fromPglite } from "pg-boss";
import type { Database, Sql } from "../db/database.ts";

/**
 * pg-boss's one-method database seam over ours. The embedded PGlite is single-connection and
 * in-process, so pg-boss must share that very instance (its adapter also delivers LISTEN/NOTIFY
 * in-process); a pg pool is used as is, because pg-boss sends parameterless multi-statement
 * scripts whose rows only the raw driver returns.
 */
export function bossDatabaseFor(db: Database): Db {
  if ("pglite" in db && db.pglite) return fromPglite(db.pglite as Parameters<typeof fromPglite>[0]);
  if ("pool" in db && db.pool) {
    const pool = db.pool as { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };
    return { executeSql: (text, values) => pool.query(text, values) as Promise<{ rows: never[] }> };
  }
  throw new Error("The job queue needs the embedded database or a PostgreSQL pool");
}

/** A caller's transaction as a pg-boss `db` option: the job row is written inside it. */
export function bossTransaction(tx: Sql): Db {
  return { executeSql: async (text, values) => ({ rows: await tx.query(text, values ?? []) }) };
}
