import type { Sql } from "../db/database.ts";
import { prepared } from "../db/statement-names.ts";
import { newId } from "../ids.ts";
import type { EnqueueOptions, JobDefinition, JobQueue } from "../module.ts";

/** What every webhook event's processing job receives; it reads the event by id. */
export interface WebhookEventJobPayload {
  eventId: string;
}

export interface InboundEvent {
  orgId: string | null;
  /** Who sent it: `workflow-trigger:trig_…`, `garmin`, … */
  source: string;
  /** The sender's event id when it gives one (or the Idempotency-Key): its retries are no-ops. */
  externalId: string | null;
  contentType: string;
  headers: Headers | Record<string, string>;
  body: Uint8Array;
}

export interface ReceivedEvent {
  id: string;
  /** true: this (source, externalId) was received before; nothing new was stored or enqueued. */
  duplicate: boolean;
  receivedAt: string;
}

// Kept for re-verification and debugging; credentials (authorization, cookies, API keys) never are.
const keptHeader =
  /^(content-type|content-length|content-encoding|user-agent|x-request-id|idempotency-key|webhook-(id|timestamp|signature)|x-[a-z0-9-]*(signature|event|delivery|timestamp)[a-z0-9-]*)$/;

export function safeHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  return Object.fromEntries(
    entries.filter(([name]) => keptHeader.test(name.toLowerCase())).map(([name, value]) => [name.toLowerCase(), value]),
  );
}

export interface ReceiveOptions {
  /** `after-commit`: no NOTIFY in the transaction; the caller calls `jobs.wake()` once it committed (EnqueueOptions). */
  wake?: EnqueueOptions["wake"];
  /**
   * The caller's own row for a new event (e.g. a workflow run), written with it: on a real server
   * in the same SQL statement as the event and its job, so the three cost one round trip. A
   * data-modifying statement that reads the new event from `event` (`INSERT … SELECT …, event.id
   * FROM event`): nothing is written for an event seen before. `$1`… are its own `params`.
   */
  alongside?: { sql: string; params: unknown[] };
}

const insertEvent = `INSERT INTO backplane.webhook_events (id, org_id, source, external_id, content_type, headers, body, job)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (source, external_id) DO NOTHING
  RETURNING id, received_at`;

/** `sql` with its `$n` moved up by `offset`, to follow another statement's parameters. */
const shifted = (sql: string, offset: number) => sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);

/**
 * Stores an inbound event exactly as received and enqueues `job` for it, in the caller's
 * transaction: commit, then answer 2xx. A (source, externalId) seen before is a no-op that
 * returns the first event, so a provider's retries never process twice.
 */
export async function receiveWebhookEvent<P extends WebhookEventJobPayload>(
  tx: Sql,
  jobs: JobQueue,
  event: InboundEvent,
  job: JobDefinition<P>,
  payload: (eventId: string) => P,
  options: ReceiveOptions = {},
): Promise<ReceivedEvent> {
  const id = newId("whe");
  const values: unknown[] = [
    id,
    event.orgId,
    event.source,
    event.externalId,
    event.contentType,
    JSON.stringify(safeHeaders(event.headers)),
    Buffer.from(event.body),
    job.name,
  ];
  const jobRow = options.wake === "after-commit" ? jobs.insertStatement(job, payload(id)) : null;
  let inserted: { id: string; received_at: Date | string } | undefined;
  if (jobRow) {
    // One statement: the event, its job (its one parameter reads as null, so no row, when the
    // event was seen before) and the caller's row.
    if (jobRow.sql.match(/\$\d+/g)?.join() !== "$1") throw new Error("a job insert takes exactly one parameter, $1");
    const parts = [`event AS (${insertEvent})`, `job AS (${jobRow.sql.replace("$1", () => `(SELECT $${values.length + 1} FROM event)`)})`];
    const params = [...values, ...jobRow.params];
    if (options.alongside) {
      parts.push(`alongside AS (${shifted(options.alongside.sql, params.length)})`);
      params.push(...options.alongside.params);
    }
    [inserted] = await tx.query(prepared(`WITH ${parts.join(",\n")}\nSELECT id, received_at FROM event`), params);
  } else {
    [inserted] = await tx.query<{ id: string; received_at: Date | string }>(insertEvent, values);
    if (inserted) {
      await jobs.enqueue(job, payload(inserted.id), { tx, ...(options.wake ? { wake: options.wake } : {}) });
      if (options.alongside) {
        await tx.query(`WITH event AS (SELECT $1::text AS id) ${shifted(options.alongside.sql, 1)}`, [id, ...options.alongside.params]);
      }
    }
  }
  if (!inserted) {
    const [existing] = await tx.query<{ id: string; received_at: Date | string }>(
      "SELECT id, received_at FROM backplane.webhook_events WHERE source = $1 AND external_id = $2",
      [event.source, event.externalId],
    );
    if (!existing) throw new Error(`webhook event ${event.source}/${event.externalId} conflicts but is not visible`);
    return { id: existing.id, duplicate: true, receivedAt: new Date(existing.received_at).toISOString() };
  }
  return { id: inserted.id, duplicate: false, receivedAt: new Date(inserted.received_at).toISOString() };
}

/** For processing jobs: the event's status once handled (or given up on). */
export async function markWebhookEvent(tx: Sql, id: string, outcome: { status: "processed" } | { status: "failed"; error: string }) {
  await tx.query(`UPDATE backplane.webhook_events SET status = $2, processed_at = now(), last_error = $3 WHERE id = $1`, [
    id,
    outcome.status,
    outcome.status === "failed" ? outcome.error.slice(0, 2000) : null,
  ]);
}
