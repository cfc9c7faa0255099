import type { Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import type { JobDefinition, JobQueue } from "../module.ts";
import type { WebhookEventJobPayload } from "./receive-webhook-event.ts";

export type WebhookEventStatus = "received" | "processed" | "failed";

export interface WebhookEventInfo {
  id: string;
  orgId: string | null;
  source: string;
  externalId: string | null;
  contentType: string;
  headers: Record<string, string>;
  /** Size of the stored body; the bytes themselves are not listed. */
  bodyBytes: number;
  job: string;
  status: WebhookEventStatus;
  replays: number;
  lastError: string | null;
  receivedAt: string;
  processedAt: string | null;
}

interface EventRow {
  seq: string;
  id: string;
  org_id: string | null;
  source: string;
  external_id: string | null;
  content_type: string;
  headers: Record<string, string> | string;
  body_bytes: number;
  job: string;
  status: WebhookEventStatus;
  replays: number;
  last_error: string | null;
  received_at: Date | string;
  processed_at: Date | string | null;
}

const columns = `seq::text AS seq, id, org_id, source, external_id, content_type, headers, octet_length(body) AS body_bytes,
  job, status, replays, last_error, received_at, processed_at`;

const toInfo = (row: EventRow): WebhookEventInfo => ({
  id: row.id,
  orgId: row.org_id,
  source: row.source,
  externalId: row.external_id,
  contentType: row.content_type,
  headers: typeof row.headers === "string" ? JSON.parse(row.headers) : row.headers,
  bodyBytes: Number(row.body_bytes),
  job: row.job,
  status: row.status,
  replays: row.replays,
  lastError: row.last_error,
  receivedAt: new Date(row.received_at).toISOString(),
  processedAt: row.processed_at === null ? null : new Date(row.processed_at).toISOString(),
});

export interface WebhookEventFilter {
  /** undefined: every org (platform callers in a service transaction). */
  orgId?: string;
  status?: WebhookEventStatus;
  source?: string;
}

/** Newest first, paged on `seq`. */
export async function listWebhookEvents(
  tx: Sql,
  filter: WebhookEventFilter,
  page: { limit: number; afterSeq?: string },
): Promise<{ events: WebhookEventInfo[]; nextSeq: string | null }> {
  const rows = await tx.query<EventRow>(
    `SELECT ${columns} FROM backplane.webhook_events
     WHERE ($1::text IS NULL OR org_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR source = $3)
       AND ($4::bigint IS NULL OR seq < $4)
     ORDER BY webhook_events.seq DESC LIMIT $5`,
    [filter.orgId ?? null, filter.status ?? null, filter.source ?? null, page.afterSeq ?? null, page.limit + 1],
  );
  const events = rows.slice(0, page.limit);
  return { events: events.map(toInfo), nextSeq: rows.length > page.limit ? (events.at(-1)?.seq ?? null) : null };
}

export async function findWebhookEvent(tx: Sql, id: string): Promise<WebhookEventInfo | null> {
  const [row] = await tx.query<EventRow>(`SELECT ${columns} FROM backplane.webhook_events WHERE id = $1`, [id]);
  return row ? toInfo(row) : null;
}

/** The stored body, exactly as received (for the processing job). */
export async function webhookEventBody(tx: Sql, id: string): Promise<Uint8Array | null> {
  const [row] = await tx.query<{ body: Uint8Array }>("SELECT body FROM backplane.webhook_events WHERE id = $1", [id]);
  return row ? row.body : null;
}

/**
 * Processes the event again: its job is enqueued anew (in this transaction) and the event goes
 * back to `received`. A job no module here defines is a 409: nothing here could process it.
 */
export async function replayWebhookEvent(
  tx: Sql,
  jobs: JobQueue,
  findJob: (name: string) => JobDefinition<unknown> | undefined,
  id: string,
): Promise<{ event: WebhookEventInfo; jobId: string }> {
  const [row] = await tx.query<EventRow>(
    `UPDATE backplane.webhook_events SET status = 'received', replays = replays + 1, processed_at = NULL, last_error = NULL
     WHERE id = $1 RETURNING ${columns}`,
    [id],
  );
  if (!row) throw new AppError("not_found", `No webhook event ${id}`);
  const job = findJob(row.job);
  if (!job) throw new AppError("conflict", `No module here processes ${row.job} events`);
  const jobId = await jobs.enqueue(job, { eventId: id } satisfies WebhookEventJobPayload, { tx });
  return { event: toInfo(row), jobId };
}

/** Retention: deletes events received before the cutoff, in bounded batches. */
export async function deleteOldWebhookEvents(tx: Sql, retentionDays: number, now: Date, batch = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await tx.query(
      `DELETE FROM backplane.webhook_events WHERE seq IN (
         SELECT seq FROM backplane.webhook_events WHERE received_at < $3::timestamptz - make_interval(days => $1) LIMIT $2)
       RETURNING 1`,
      [retentionDays, batch, now],
    );
    total += rows.length;
    if (rows.length < batch) return total;
  }
}
