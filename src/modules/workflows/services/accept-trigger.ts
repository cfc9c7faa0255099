import type { Database, Sql } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { newId } from "../../../platform/ids.ts";
import type { JobQueue } from "../../../platform/module.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { receiveWebhookEvent } from "../../../platform/webhooks/receive-webhook-event.ts";
import { startRunJobs } from "../jobs/step-jobs.ts";
import type { Step } from "../schemas.ts";
import { triggerKeyDigester } from "../trigger-key.ts";
import { createRun } from "./start-run.ts";

export interface ResolvedTrigger {
  id: string;
  orgId: string;
  workflowId: string;
  priority: "critical" | "default" | "bulk";
  steps: Step[] | string;
}

/**
 * The trigger a key opens, looked up before the org is known (service context). Whatever was
 * sent is digested and looked up by the unique index, found or not, so an unknown, malformed or
 * disabled key costs the same and answers the same 404.
 */
export async function resolveTriggerKey(db: Database, secret: string, key: string): Promise<ResolvedTrigger> {
  const digest = triggerKeyDigester(secret)(key.slice(0, 200));
  const [row] = await asService(db, "trigger key lookup", (tx) =>
    tx.query<{
      id: string;
      org_id: string;
      workflow_id: string;
      priority: ResolvedTrigger["priority"];
      steps: Step[] | string;
      active: boolean;
    }>(
      `SELECT t.id, t.org_id, t.workflow_id, w.priority, w.steps, (t.disabled_at IS NULL AND w.disabled_at IS NULL) AS active
       FROM workflows.triggers t JOIN workflows.workflows w ON w.id = t.workflow_id WHERE t.digest = $1`,
      [digest],
    ),
  );
  if (!row?.active) throw new AppError("not_found", "No active trigger for this key");
  return { id: row.id, orgId: row.org_id, workflowId: row.workflow_id, priority: row.priority, steps: row.steps };
}

export interface TriggerDelivery {
  contentType: string;
  headers: Headers;
  raw: Uint8Array;
  body: unknown;
  /** The Idempotency-Key, which also dedupes the event in the inbox. */
  idempotencyKey: string | null;
}

/**
 * In the caller's tenant transaction: the event goes into the inbox (raw), the run is made and
 * the start-run job enqueued, all committed together before the 202. An event the inbox has seen
 * (same Idempotency-Key) returns the first event's ids and changes nothing.
 */
export async function acceptTrigger(tx: Sql, jobs: JobQueue, trigger: ResolvedTrigger, delivery: TriggerDelivery) {
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
  );
  if (event.duplicate) {
    const [run] = await tx.query<{ id: string }>("SELECT id FROM workflows.runs WHERE org_id = $1 AND event_id = $2", [
      trigger.orgId,
      event.id,
    ]);
    return { eventId: event.id, runId: run?.id ?? null };
  }
  await createRun(tx, {
    runId,
    orgId: trigger.orgId,
    workflow: { id: trigger.workflowId, steps: trigger.steps },
    triggerId: trigger.id,
    eventId: event.id,
    trigger: { body: delivery.body, contentType: delivery.contentType },
  });
  return { eventId: event.id, runId };
}
