import type { Sql } from "../db/database.ts";

export interface SnapshotInfo {
  id: string;
  tick: string;
  collectedAt: string;
  windowFrom: string | null;
  metrics: Record<string, unknown>;
}

/** One page of snapshots, newest first, keyed by id. */
export async function listSnapshots(
  tx: Sql,
  page: { limit: number; before?: string },
): Promise<{ data: SnapshotInfo[]; nextBefore: string | null }> {
  const rows = await tx.query<{
    id: string;
    tick: Date;
    collected_at: Date;
    window_from: Date | null;
    metrics: Record<string, unknown> | string;
  }>(
    `SELECT id::text AS id, tick, collected_at, window_from, metrics FROM backplane.metric_snapshots
     WHERE $1::bigint IS NULL OR id < $1::bigint ORDER BY id DESC LIMIT $2`,
    [page.before ?? null, page.limit + 1],
  );
  const data = rows.slice(0, page.limit).map((row) => ({
    id: row.id,
    tick: new Date(row.tick).toISOString(),
    collectedAt: new Date(row.collected_at).toISOString(),
    windowFrom: row.window_from === null ? null : new Date(row.window_from).toISOString(),
    metrics: typeof row.metrics === "string" ? JSON.parse(row.metrics) : row.metrics,
  }));
  return { data, nextBefore: rows.length > page.limit ? (data.at(-1)?.id ?? null) : null };
}
