import type { JobContext } from "../../../platform/module.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { type RunStepPayload, STEP_RETRIES } from "../jobs/step-jobs.ts";
import type { Step } from "../schemas.ts";
import { executeStep, StepError } from "../steps/execute-step.ts";
import { enqueueStep } from "./start-run.ts";
import { writeLog } from "./write-log.ts";

const MAX_OUTPUT_BYTES = 64 * 1024;

interface RunState {
  workflow_id: string;
  status: string;
  steps: Step[] | string;
  context: { trigger: unknown; steps: Record<string, unknown> } | string;
  priority: "critical" | "default" | "bulk";
}

const json = <T>(value: T | string): T => (typeof value === "string" ? (JSON.parse(value) as T) : value);

/** A step's output as stored: at most 64 KB of JSON, or a note that it was larger. */
function capped(output: Record<string, unknown>): Record<string, unknown> {
  const size = Buffer.byteLength(JSON.stringify(output));
  return size <= MAX_OUTPUT_BYTES
    ? output
    : { truncated: true, bytes: size, note: `output larger than ${MAX_OUTPUT_BYTES} bytes was not kept` };
}

/**
 * One attempt of one step: mark it running, run it outside any transaction (an HTTP call must not
 * hold a database transaction open), then record the output and queue the next step (a delay
 * step schedules it for later) or finish the run. A failure is retried by the queue; the last
 * attempt's failure marks the step and the run failed before the job goes to the dead-letter
 * queue, and a replay from there resumes the run at this step.
 */
export async function runStep(payload: RunStepPayload, context: JobContext): Promise<void> {
  const { db, jobs } = context.services;
  const { orgId, runId, index } = payload;
  const tenant = { orgId, userId: null, principal: "job:workflows.run-step" };

  const state = await withTenant(db, tenant, async (tx) => {
    const [run] = await tx.query<RunState>(
      `SELECT r.workflow_id, r.status, r.steps, r.context, w.priority
       FROM workflows.runs r JOIN workflows.workflows w ON w.id = r.workflow_id WHERE r.org_id = $1 AND r.id = $2`,
      [orgId, runId],
    );
    if (!run || run.status === "succeeded") return null;
    const [step] = await tx.query<{ status: string }>(
      `UPDATE workflows.step_runs SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), error = NULL
       WHERE org_id = $1 AND run_id = $2 AND step_index = $3 AND status <> 'succeeded' RETURNING status`,
      [orgId, runId, index],
    );
    if (!step) return null; // already done (a duplicate delivery)
    // Running again: also after the run failed and this step was replayed from the dead-letter queue.
    await tx.query("UPDATE workflows.runs SET status = 'running', error = NULL, finished_at = NULL WHERE org_id = $1 AND id = $2", [
      orgId,
      runId,
    ]);
    return run;
  });
  if (!state) return;

  const steps = json<Step[]>(state.steps);
  const step = steps[index];
  if (!step) throw new StepError(`run ${runId} has no step ${index}`);
  const runContext = json<{ trigger: unknown; steps: Record<string, unknown> }>(state.context);

  let result: Awaited<ReturnType<typeof executeStep>>;
  try {
    result = await executeStep(step, runContext, {
      services: context.services,
      orgId,
      workflowId: state.workflow_id,
      runId,
      jobId: context.jobId,
      signal: context.signal,
    });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
    const last = context.attempt > STEP_RETRIES;
    await withTenant(db, tenant, async (tx) => {
      await tx.query(
        `UPDATE workflows.step_runs SET status = $4, error = $5, finished_at = CASE WHEN $4 = 'failed' THEN now() END
         WHERE org_id = $1 AND run_id = $2 AND step_index = $3`,
        [orgId, runId, index, last ? "failed" : "queued", message],
      );
      if (last) {
        await tx.query("UPDATE workflows.runs SET status = 'failed', error = $3, finished_at = now() WHERE org_id = $1 AND id = $2", [
          orgId,
          runId,
          `step ${step.name}: ${message}`,
        ]);
      }
      await writeLog(tx, {
        orgId,
        level: last ? "error" : "warn",
        message: `run ${runId} step ${step.name} attempt ${context.attempt} failed: ${message}`,
        workflowId: state.workflow_id,
        jobId: context.jobId,
        metadata: { runId, step: step.name, attempt: context.attempt, final: last },
      });
    });
    throw error;
  }

  const output = capped(result.output);
  await withTenant(db, tenant, async (tx) => {
    await tx.query(
      `UPDATE workflows.step_runs SET status = 'succeeded', output = $4, finished_at = now(), error = NULL
       WHERE org_id = $1 AND run_id = $2 AND step_index = $3`,
      [orgId, runId, index, JSON.stringify(output)],
    );
    await tx.query(
      `UPDATE workflows.runs SET context = jsonb_set(context, ARRAY['steps', $3::text], $4::jsonb, true) WHERE org_id = $1 AND id = $2`,
      [orgId, runId, step.name, JSON.stringify(output)],
    );
    const next = index + 1;
    if (next < steps.length) {
      await enqueueStep(tx, jobs, { orgId, runId, priority: state.priority, steps }, next, result.delaySeconds);
    } else {
      await tx.query("UPDATE workflows.runs SET status = 'succeeded', finished_at = now() WHERE org_id = $1 AND id = $2", [orgId, runId]);
      await writeLog(tx, {
        orgId,
        level: "info",
        message: `run ${runId} succeeded`,
        workflowId: state.workflow_id,
        jobId: context.jobId,
        metadata: { runId },
      });
    }
  });
}
