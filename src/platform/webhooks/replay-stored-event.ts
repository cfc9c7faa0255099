import { type AuditSource, recordAuditEvent } from "../audit/record-audit-event.ts";
import { canAccessOrg, type Principal } from "../auth/principal.ts";
import type { Database } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import type { JobDefinition, JobQueue } from "../module.ts";
import { asService, tenantOf, withTenant } from "../tenancy/with-tenant.ts";
import { findWebhookEvent, replayWebhookEvent, type WebhookEventInfo } from "./webhook-events.ts";

export interface ReplayStoredEventDeps {
  db: Database;
  jobs: JobQueue;
  findJob: (name: string) => JobDefinition<unknown> | undefined;
}

/**
 * Replays a stored event on behalf of `principal` (the API route and the admin console): the
 * event's org decides the tenant transaction, another org's event is a 404 like a missing one,
 * and the `webhook_event.replayed` audit row is written in the replay's transaction.
 */
export async function replayStoredWebhookEvent(
  deps: ReplayStoredEventDeps,
  principal: Principal,
  id: string,
  source: AuditSource,
): Promise<{ event: WebhookEventInfo; jobId: string }> {
  const found = await asService(deps.db, "webhook replay lookup", (tx) => findWebhookEvent(tx, id));
  if (!found || found.orgId === null || !canAccessOrg(principal, found.orgId)) throw new AppError("not_found", `No webhook event ${id}`);
  const orgId = found.orgId;
  return withTenant(deps.db, tenantOf(principal, orgId), async (tx) => {
    const replayed = await replayWebhookEvent(tx, deps.jobs, deps.findJob, id);
    await recordAuditEvent(tx, {
      ...source,
      orgId,
      action: "webhook_event.replayed",
      target: { type: "webhook_event", id },
      metadata: { source: found.source, job: found.job, jobId: replayed.jobId },
    });
    return replayed;
  });
}
