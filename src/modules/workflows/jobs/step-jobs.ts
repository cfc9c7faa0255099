import { z } from "zod";
import { defineJob } from "../../../platform/jobs/define-job.ts";
import type { JobDefinition, QueueName } from "../../../platform/module.ts";
import { runStep } from "../services/run-step.ts";
import { startRun } from "../services/start-run.ts";

export const STEP_RETRIES = 3;

const startRunPayload = z.object({ eventId: z.string(), runId: z.string().optional() });
const runStepPayload = z.object({ orgId: z.string(), runId: z.string(), index: z.number().int().min(0) });
export type RunStepPayload = z.infer<typeof runStepPayload>;

const queues: QueueName[] = ["critical", "default", "bulk"];

/**
 * Processes a trigger event from the inbox: starts its run (made at intake; a replayed event
 * gets a new one) and enqueues the first step. One per queue, so a workflow's priority holds
 * from the first job on.
 */
export const startRunJobs = Object.fromEntries(
  queues.map((queue) => [
    queue,
    defineJob({
      name: `workflows.start-run.${queue}`,
      queue,
      payload: startRunPayload,
      handler: (payload, context) => startRun(payload, context),
    }),
  ]),
) as Record<QueueName, JobDefinition<z.infer<typeof startRunPayload>>>;

/** One step of one run, on the workflow's queue: 3 retries, then the dead-letter queue (the run fails). */
export const runStepJobs = Object.fromEntries(
  queues.map((queue) => [
    queue,
    defineJob({
      name: `workflows.run-step.${queue}`,
      queue,
      payload: runStepPayload,
      retry: { limit: STEP_RETRIES },
      handler: (payload, context) => runStep(payload, context),
    }),
  ]),
) as Record<QueueName, JobDefinition<RunStepPayload>>;

export const workflowJobs = [...Object.values(startRunJobs), ...Object.values(runStepJobs)];
