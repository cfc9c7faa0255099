import type { Sql } from "../../../platform/db/database.ts";
import { newId } from "../../../platform/ids.ts";
import type { JobContext, JobQueue } from "../../../platform/module.ts";
import { asService, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { markWebhookEvent } from "../../../platform/webhooks/receive-webhook-event.ts";
import { webhookEventBody } from "../../../platform/webhooks/webhook-events.ts";
import { runStepJobs } from "../jobs/step-jobs.ts";
import type { Step } from "../schemas.ts";
import { stepsOf, type WorkflowRow } from "./workflow-record.ts";
import { writeLog } from "./write-log.ts";

export interface TriggerContext {
  body: unknown;
  contentType: string;
}

interface NewRun {
  runId?: string;
  orgId: string;
  workflow: Pick<WorkflowRow, "id" | "steps">;
  triggerId: string | null;
  trigger: TriggerContext;
}

/**
 * A queued run of `workflow` for the new inbox event read from `event` (the inbox's `alongside`
 * statement, written with the event in one statement); the first step waits for start-run.
 */
export function runForNewEvent(input: NewRun & { runId: string }): { sql: string; params: unknown[] } {
  return {
    sql: `INSERT INTO workflows.runs (id, org_id, workflow_id, trigger_id, event_id, status, steps, context)
      SELECT $1, $2, $3, $4, event.id, 'queued', $5, $6 FROM event`,
    params: [
      input.runId,
      input.orgId,
      input.workflow.id,
      input.triggerId,
      JSON.stringify(stepsOf(input.workflow)),
      JSON.stringify({ trigger: input.trigger, steps: {} }),
    ],
  };
}

/** Makes a queued run of `workflow` for an event (in the caller's transaction); the first step waits for start-run. */
export async function createRun(tx: Sql, input: NewRun & { eventId: string }): Promise<string> {
  const id = input.runId ?? newId("run");
  const { sql, params } = runForNewEvent({ ...input, runId: id });
  await tx.query(`WITH event AS (SELECT $7::text AS id) ${sql}`, [...params, input.eventId]);
  return id;
}

/** Queues step `index` of a run on the workflow's queue. */
export async function enqueueStep(
  tx: Sql,
  jobs: JobQueue,
  run: { orgId: string; runId: string; priority: "critical" | "default" | "bulk"; steps: Step[] },
  index: number,
  startAfterSeconds?: number,
): Promise<void> {
  const step = run.steps[index] as Step;
  const jobId = await jobs.enqueue(
    runStepJobs[run.priority],
    { orgId: run.orgId, runId: run.runId, index },
    { tx, ...(startAfterSeconds ? { startAfter: startAfterSeconds } : {}) },
  );
  await tx.query(
    `INSERT INTO workflows.step_runs (run_id, step_index, org_id, name, type, status, job_id)
     VALUES ($1, $2, $3, $4, $5, 'queued', $6)
     ON CONFLICT (run_id, step_index) DO UPDATE SET status = 'queued', job_id = EXCLUDED.job_id, error = NULL`,
    [run.runId, index, run.orgId, step.name, step.type, jobId],
  );
}

/** The inbox's processing job for a trigger event: the run starts and its first step is queued. */
export async function startRun(payload: { eventId: string; runId?: string }, context: JobContext): Promise<void> {
  const { db, jobs } = context.services;
  // The event names its org; the rest runs as that tenant.
  const [event] = await asService(db, "workflow start-run lookup", (tx) =>
    tx.query<{ org_id: string; source: string; content_type: string }>(
      "SELECT org_id, source, content_type FROM backplane.webhook_events WHERE id = $1",
      [payload.eventId],
    ),
  );
  if (!event) return; // deleted by retention: nothing to do
  const tenant = { orgId: event.org_id, userId: null, principal: "job:workflows.start-run" };
  await withTenant(db, tenant, async (tx) => {
    let runId = payload.runId;
    const triggerId = event.source.replace(/^workflow-trigger:/, "");
    const [workflow] = await tx.query<WorkflowRow & { trigger_id: string }>(
      `SELECT w.id, w.org_id, w.name, w.priority, w.steps, w.disabled_at, w.created_at, w.updated_at, t.id AS trigger_id
       FROM workflows.triggers t JOIN workflows.workflows w ON w.id = t.workflow_id WHERE t.org_id = $1 AND t.id = $2`,
      [event.org_id, triggerId],
    );
    if (!workflow) {
      await markWebhookEvent(tx, payload.eventId, { status: "failed", error: "the workflow or trigger no longer exists" });
      return;
    }
    if (!runId) {
      // A replayed event: a new run from the stored body.
      const body = await webhookEventBody(tx, payload.eventId);
      runId = await createRun(tx, {
        orgId: event.org_id,
        workflow,
        triggerId,
        eventId: `${payload.eventId}:${context.jobId}`,
        trigger: { body: parseStoredBody(body, event.content_type), contentType: event.content_type },
      });
    }
    const [run] = await tx.query<{ status: string; steps: Step[] | string }>(
      "UPDATE workflows.runs SET status = 'running', started_at = coalesce(started_at, now()) WHERE org_id = $1 AND id = $2 AND status = 'queued' RETURNING status, steps",
      [event.org_id, runId],
    );
    if (run) {
      const steps = typeof run.steps === "string" ? (JSON.parse(run.steps) as Step[]) : run.steps;
      await enqueueStep(tx, jobs, { orgId: event.org_id, runId, priority: workflow.priority, steps }, 0);
      await writeLog(tx, {
        orgId: event.org_id,
        level: "info",
        message: `run ${runId} started`,
        workflowId: workflow.id,
        jobId: context.jobId,
        metadata: { runId },
      });
    }
    await markWebhookEvent(tx, payload.eventId, { status: "processed" });
  });
}

/** The trigger body as templates see it: JSON parsed, a form as an object of its fields. */
export function parseStoredBody(body: Uint8Array | null, contentType: string): unknown {
  const text = body ? Buffer.from(body).toString("utf8") : "";
  if (text.trim() === "") return {};
  if (contentType.startsWith("application/x-www-form-urlencoded")) return formToObject(text);
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** Form fields as an object; a field sent more than once becomes an array. */
export function formToObject(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(text)) {
    const existing = out[name];
    if (existing === undefined) out[name] = value;
    else out[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return { ...out };
}
