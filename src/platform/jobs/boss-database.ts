import type { Db } from "pg-boss";
import type { Sql } from "../db/database.ts";

/** A caller's transaction as a pg-boss `db` option: the job row is written inside it. */
export function bossTransaction(tx: Sql): Db {
  return { executeSql: async (text, values) => ({ rows: await tx.query(text, values ?? []) }) };
}
