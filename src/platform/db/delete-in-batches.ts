import type { Sql } from "./database.ts";

/** Rows one retention DELETE removes at most (docs/cost-and-limits.md). */
export const DELETE_BATCH = 5000;

/**
 * Runs `sql`, a DELETE … RETURNING whose sub-select takes at most `batch` rows (its LIMIT is the
 * last parameter), until a statement removes fewer: a large backlog is many bounded statements,
 * never one that sorts or returns millions of rows. `each` sees every statement's returned rows.
 */
export async function deleteInBatches<Row>(
  tx: Sql,
  sql: string,
  params: unknown[],
  batch = DELETE_BATCH,
  each?: (rows: Row[]) => void,
): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await tx.query<Row>(sql, [...params, batch]);
    each?.(rows);
    total += rows.length;
    if (rows.length < batch) return total;
  }
}
