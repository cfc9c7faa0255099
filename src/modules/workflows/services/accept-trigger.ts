import type { Database } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { newId } from "../../../platform/ids.ts";
import type { JobQueue } from "../../../platform/module.ts";
import { asService, withTenantFoundBy } from "../../../platform/tenancy/with-tenant.ts";
import { receiveWebhookEvent } from "../../../platform/webhooks/receive-webhook-event.ts";
import { startRunJobs } from "../jobs/step-jobs.ts";
import type { Step } from "../schemas.ts";
import { triggerKeyDigester } from "../trigger-key.ts";
import { runForNewEvent } from "./start-run.ts";

export interface ResolvedTrigger {
  id: string;
  orgId: string;
  workflowId: string;
  priority: "critical" | "default" | "bulk";
  steps: Step[] | string;
}

interface TriggerRow {
  id: string;
  org_id: string;
  principal: string;
  workflow_id: string;
  priority: ResolvedTrigger["priority"];
  steps: Step[] | string;
}

// The active trigger a key digest opens, with its workflow; whatever was sent is digested and
// looked up by the unique index, found or not, so unknown, malformed and disabled keys cost the same.
const activeTrigger = `
SELECT t.id, t.org_id, 'trigger:' || t.id AS principal, t.workflow_id, w.priority, w.steps
FROM workflows.triggers t JOIN workflows.workflows w ON w.id = t.workflow_id
WHERE t.digest = $1 AND t.disabled_at IS NULL AND w.disabled_at IS NULL`;

const digestOf = (secret: string, key: string) => triggerKeyDigester(secret)(key.slice(0, 200));
const notFound = () => new AppError("not_found", "No active trigger for this key");
const resolvedOf = (row: TriggerRow): ResolvedTrigger => ({
  id: row.id,
  orgId: row.org_id,
  workflowId: row.workflow_id,
  priority: row.priority,
  steps: row.steps,
});

/**
 * The trigger a key opens, before the request is handled (service context: the org is not known
 * yet). Only where something needs the trigger first: the Idempotency-Key scope.
 */
export async function resolveTriggerKey(db: Database, secret: string, key: string): Promise<ResolvedTrigger> {
  const [row] = await asService(db, "trigger key lookup", (tx) => tx.query<TriggerRow>(activeTrigger, [digestOf(secret, key)]));
  if (!row) throw notFound();
  return resolvedOf(row);
}

export interface TriggerDelivery {
  contentType: string;
  headers: Headers;
  raw: Uint8Array;
  /** The body as an object; throws (415, 400) when it cannot be one. Called once the key is known good. */
  parse(): unknown;
  /** The Idempotency-Key, which also dedupes the event in the inbox. */
  idempotencyKey: string | null;
}

/**
 * One transaction, committed before the 202: the key's trigger is found and the tenant set in
 * the round trip that opens it, then the event goes into the inbox (raw) with its start-run job,
 * and the run is made. Workers are woken after the commit (see `wake` in EnqueueOptions). An event
 * the inbox has seen (same Idempotency-Key) returns the first event's ids and changes nothing.
 */
export async function acceptTrigger(db: Database, jobs: JobQueue, secret: string, key: string, delivery: TriggerDelivery) {
  const accepted = await withTenantFoundBy<TriggerRow, { eventId: string; runId: string | null }>(
    db,
    { sql: activeTrigger, value: digestOf(secret, key) },
    async (tx, row) => {
      const trigger = resolvedOf(row);
      const body = delivery.parse();
      const runId = newId("run");
      const event = await receiveWebhookEvent(
        tx,
        jobs,
        {
          orgId: trigger.orgId,
          source: `workflow-trigger:${trigger.id}`,
          externalId: delivery.idempotencyKey,
          contentType: delivery.contentType,
          headers: delivery.headers,
          body: delivery.raw,
        },
        startRunJobs[trigger.priority],
        (eventId) => ({ eventId, runId }),
        {
          wake: "after-commit",
          alongside: runForNewEvent({
            runId,
            orgId: trigger.orgId,
            workflow: { id: trigger.workflowId, steps: trigger.steps },
            triggerId: trigger.id,
            trigger: { body, contentType: delivery.contentType },
          }),
        },
      );
      if (!event.duplicate) return { eventId: event.id, runId };
      const [run] = await tx.query<{ id: string }>("SELECT id FROM workflows.runs WHERE org_id = $1 AND event_id = $2", [
        trigger.orgId,
        event.id,
      ]);
      return { eventId: event.id, runId: run?.id ?? null };
    },
  );
  if (!accepted) throw notFound();
  jobs.wake();
  return accepted.result;
}
