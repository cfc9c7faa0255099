import pg from "pg";
import type { Sql } from "../db/database.ts";
import type { PrivacySubject } from "../module.ts";

/** A column still holding the user after an erasure. */
export interface Residue {
  table: string;
  column: string;
  rows: number;
}

interface ColumnRow {
  schema: string;
  table: string;
  column: string;
  type: string;
  references_users: boolean;
}

// Every column of every table (partitioned parents, not their partitions) outside the system
// schemas, read from the catalog at the time of the scan: a module that lands later is covered
// without being named here.
const columnsSql = `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS column, t.typname AS type,
  EXISTS (
    SELECT 1 FROM pg_constraint k
    WHERE k.contype = 'f' AND k.conrelid = c.oid AND a.attnum = ANY (k.conkey)
      AND k.confrelid = 'backplane.users'::regclass
  ) AS references_users
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY 1, 2, a.attnum`;

const textual = new Set(["text", "varchar", "bpchar", "json", "jsonb", "_text", "_varchar", "name", "citext"]);

/**
 * Where a user still appears. `shallow` (what the delete job checks before it commits): columns
 * that hold user ids by construction (a foreign key to backplane.users, a column named `user_id`
 * or `…_user_id`, the users table itself) and columns named `email`, compared for equality.
 * `deep` (the tests, and an operator's check): every text, JSON, array and bytea column of every
 * table, searched for the id or the email anywhere in the value (a payload, a log line, a job).
 */
export async function findUserResidue(tx: Sql, subject: PrivacySubject, mode: "shallow" | "deep"): Promise<Residue[]> {
  const columns = await tx.query<ColumnRow>(columnsSql);
  const byTable = new Map<string, string[]>();
  for (const column of columns) {
    const name = `${pg.escapeIdentifier(column.schema)}.${pg.escapeIdentifier(column.table)}`;
    const ref = `t.${pg.escapeIdentifier(column.column)}`;
    let test: string | null = null;
    if (mode === "deep") {
      if (textual.has(column.type)) test = `strpos(${ref}::text, p.id) > 0 OR strpos(lower(${ref}::text), p.email) > 0`;
      else if (column.type === "bytea")
        test = `position(convert_to(p.id, 'UTF8') IN ${ref}) > 0 OR position(convert_to(p.email, 'UTF8') IN ${ref}) > 0`;
    } else if (column.references_users || /(^|_)user_id$/.test(column.column) || (column.table === "users" && column.column === "id")) {
      test = `${ref}::text = p.id`;
    } else if (column.column === "email") {
      test = `lower(${ref}::text) = p.email`;
    }
    if (test === null) continue;
    const tests = byTable.get(name) ?? [];
    tests.push(`count(*) FILTER (WHERE ${test}) AS ${pg.escapeIdentifier(column.column)}`);
    byTable.set(name, tests);
  }
  const found: Residue[] = [];
  for (const [table, tests] of byTable) {
    const [counts] = await tx.query<Record<string, string | number>>(
      `SELECT ${tests.join(", ")} FROM ${table} t, (SELECT $1::text AS id, $2::text AS email) p`,
      [subject.userId, subject.email.toLowerCase()],
    );
    for (const [column, rows] of Object.entries(counts ?? {})) {
      if (Number(rows) > 0) found.push({ table, column, rows: Number(rows) });
    }
  }
  return found;
}
