import type { Sql } from "../db/database.ts";
import { newId } from "../ids.ts";
import { redactAuditMetadata } from "./redact-audit-metadata.ts";

export type AuditActorType = "api_key" | "user" | "service" | "env_key";

export interface AuditActor {
  type: AuditActorType;
  id: string;
}

/** Where a change came from: the caller, and the request it made (null outside HTTP). */
export interface AuditSource {
  actor: AuditActor;
  requestId: string | null;
  clientIp: string | null;
}

export interface AuditEvent extends AuditSource {
  /** The org the change belongs to; null for platform-wide changes. */
  orgId: string | null;
  /** Dotted `noun.verb`: `key.created`, `dlq.replayed`. */
  action: string;
  target?: { type: string; id: string } | null;
  /** Facts worth keeping; secrets are dropped and PII masked before the row is written. */
  metadata?: Record<string, unknown>;
}

/**
 * Writes one audit row. Call it with the transaction that makes the change, so the row
 * exists if and only if the change commits.
 */
export async function recordAuditEvent(tx: Sql, event: AuditEvent): Promise<void> {
  await tx.query(
    `INSERT INTO backplane.audit_events
       (id, org_id, actor_type, actor_id, action, target_type, target_id, request_id, client_ip, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      newId("aud"),
      event.orgId,
      event.actor.type,
      event.actor.id,
      event.action,
      event.target?.type ?? null,
      event.target?.id ?? null,
      event.requestId,
      event.clientIp,
      JSON.stringify(redactAuditMetadata(event.metadata ?? {})),
    ],
  );
}

/** The source of work the CLI or a worker does on its own account. */
export function serviceSource(id: string): AuditSource {
  return { actor: { type: "service", id }, requestId: null, clientIp: null };
}
