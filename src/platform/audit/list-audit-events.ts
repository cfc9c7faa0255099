import type { Database, Sql } from "../db/database.ts";
import { asService } from "../tenancy/with-tenant.ts";
import type { AuditActorType } from "./record-audit-event.ts";

export interface AuditEventInfo {
  id: string;
  orgId: string | null;
  actor: { type: AuditActorType; id: string };
  action: string;
  target: { type: string; id: string | null } | null;
  requestId: string | null;
  clientIp: string | null;
  occurredAt: string;
  metadata: Record<string, unknown>;
}

export interface AuditFilter {
  /** A string: that org's events; null: platform-wide events only; undefined: every org (platform callers). */
  orgId?: string | null;
  /** Exact (`key.created`) or a prefix ending in `.*` (`key.*`). */
  action?: string;
  actorType?: AuditActorType;
  actorId?: string;
  targetType?: string;
  targetId?: string;
  from?: Date;
  to?: Date;
}

interface AuditRow {
  seq: string;
  id: string;
  org_id: string | null;
  actor_type: AuditActorType;
  actor_id: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  request_id: string | null;
  client_ip: string | null;
  occurred_at: Date | string;
  metadata: Record<string, unknown> | string;
}

const toInfo = (row: AuditRow): AuditEventInfo => ({
  id: row.id,
  orgId: row.org_id,
  actor: { type: row.actor_type, id: row.actor_id },
  action: row.action,
  target: row.target_type === null ? null : { type: row.target_type, id: row.target_id },
  requestId: row.request_id,
  clientIp: row.client_ip,
  occurredAt: new Date(row.occurred_at).toISOString(),
  metadata: typeof row.metadata === "string" ? JSON.parse(row.metadata) : row.metadata,
});

/**
 * One page of audit events, newest first. Paged on `seq` (an identity column), which is exact
 * and strictly ordered, so a page seam never skips or repeats rows written in the same instant.
 */
export async function listAuditEvents(
  db: Sql,
  filter: AuditFilter,
  page: { limit: number; afterSeq?: string },
): Promise<{ events: AuditEventInfo[]; nextSeq: string | null }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.orgId === null) where.push("org_id IS NULL");
  else if (filter.orgId !== undefined) add((p) => `org_id = ${p}`, filter.orgId);
  if (filter.action?.endsWith(".*")) add((p) => `starts_with(action, ${p})`, filter.action.slice(0, -1));
  else if (filter.action !== undefined) add((p) => `action = ${p}`, filter.action);
  if (filter.actorType !== undefined) add((p) => `actor_type = ${p}`, filter.actorType);
  if (filter.actorId !== undefined) add((p) => `actor_id = ${p}`, filter.actorId);
  if (filter.targetType !== undefined) add((p) => `target_type = ${p}`, filter.targetType);
  if (filter.targetId !== undefined) add((p) => `target_id = ${p}`, filter.targetId);
  if (filter.from !== undefined) add((p) => `occurred_at >= ${p}`, filter.from);
  if (filter.to !== undefined) add((p) => `occurred_at < ${p}`, filter.to);
  if (page.afterSeq !== undefined) add((p) => `seq < ${p}::bigint`, page.afterSeq);
  params.push(page.limit + 1);
  const rows = await db.query<AuditRow>(
    `SELECT seq::text AS seq, id, org_id, actor_type, actor_id, action, target_type, target_id, request_id,
            host(client_ip) AS client_ip, occurred_at, metadata
     FROM backplane.audit_events
     ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY audit_events.seq DESC LIMIT $${params.length}`,
    params,
  );
  const kept = rows.slice(0, page.limit);
  const last = kept.at(-1);
  return { events: kept.map(toInfo), nextSeq: rows.length > page.limit && last ? last.seq : null };
}

/**
 * Deletes events older than `days` across every org, one batch per transaction so a large
 * backlog never holds one long lock.
 */
export async function deleteExpiredAuditEvents(db: Database, days: number, now: Date, batchSize = 5000): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await asService(db, "audit-retention", (tx) =>
      tx.query<{ count: string }>(
        `WITH doomed AS (
         SELECT seq FROM backplane.audit_events
         WHERE occurred_at < $3::timestamptz - make_interval(days => $1::int)
         ORDER BY occurred_at LIMIT $2
       ), gone AS (
         DELETE FROM backplane.audit_events e USING doomed WHERE e.seq = doomed.seq RETURNING 1
       )
       SELECT count(*)::text AS count FROM gone`,
        [days, batchSize, now],
      ),
    );
    const deleted = Number(rows[0]?.count ?? 0);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
