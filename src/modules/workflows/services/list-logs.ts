import type { Sql } from "../../../platform/db/database.ts";

export interface LogFilter {
  orgId: string;
  level?: "debug" | "info" | "warn" | "error";
  workflowId?: string;
  jobId?: string;
  from?: Date;
  to?: Date;
}

interface LogRow {
  seq: string;
  id: string;
  level: "debug" | "info" | "warn" | "error";
  message: string;
  metadata: Record<string, unknown> | string;
  workflow_id: string | null;
  job_id: string | null;
  pii_redacted: boolean;
  created_at: Date | string;
}

/** Newest first, paged on `seq`. */
export async function listLogs(tx: Sql, filter: LogFilter, page: { limit: number; afterSeq?: string }) {
  const rows = await tx.query<LogRow>(
    `SELECT seq::text AS seq, id, level, message, metadata, workflow_id, job_id, pii_redacted, created_at
     FROM workflows.logs
     WHERE org_id = $1 AND ($2::text IS NULL OR level = $2) AND ($3::text IS NULL OR workflow_id = $3)
       AND ($4::text IS NULL OR job_id = $4) AND ($5::timestamptz IS NULL OR created_at >= $5)
       AND ($6::timestamptz IS NULL OR created_at < $6) AND ($7::bigint IS NULL OR seq < $7)
     ORDER BY logs.seq DESC LIMIT $8`,
    [
      filter.orgId,
      filter.level ?? null,
      filter.workflowId ?? null,
      filter.jobId ?? null,
      filter.from ?? null,
      filter.to ?? null,
      page.afterSeq ?? null,
      page.limit + 1,
    ],
  );
  const items = rows.slice(0, page.limit);
  return {
    data: items.map((row) => ({
      id: row.id,
      level: row.level,
      message: row.message,
      metadata: typeof row.metadata === "string" ? JSON.parse(row.metadata) : row.metadata,
      workflowId: row.workflow_id,
      jobId: row.job_id,
      piiRedacted: row.pii_redacted,
      createdAt: new Date(row.created_at).toISOString(),
    })),
    nextSeq: rows.length > page.limit ? (items.at(-1)?.seq ?? null) : null,
  };
}

/** Retention: deletes rows older than the cutoff in bounded batches (service context). */
export async function deleteOldLogs(tx: Sql, retentionDays: number, now: Date, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await tx.query(
      `DELETE FROM workflows.logs WHERE id IN (
         SELECT id FROM workflows.logs WHERE created_at < $3::timestamptz - make_interval(days => $1) LIMIT $2) RETURNING 1`,
      [retentionDays, batch, now],
    );
    total += rows.length;
    if (rows.length < batch) return total;
  }
}

/**
 * A run's own log lines (those whose metadata names it), oldest first, at most `limit`: the run
 * page shows them beside its steps. logs_run_idx serves it however many logs the org has.
 */
export async function listRunLogs(tx: Sql, orgId: string, runId: string, limit: number) {
  const rows = await tx.query<LogRow>(
    `SELECT seq::text AS seq, id, level, message, metadata, workflow_id, job_id, pii_redacted, created_at
     FROM workflows.logs
     WHERE org_id = $1 AND metadata ? 'runId' AND metadata->>'runId' = $2
     ORDER BY logs.seq LIMIT $3`,
    [orgId, runId, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    level: row.level,
    message: row.message,
    metadata: typeof row.metadata === "string" ? (JSON.parse(row.metadata) as Record<string, unknown>) : row.metadata,
    jobId: row.job_id,
    piiRedacted: row.pii_redacted,
    createdAt: new Date(row.created_at).toISOString(),
  }));
}
