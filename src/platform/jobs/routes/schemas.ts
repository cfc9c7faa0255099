import { z } from "@hono/zod-openapi";
import { text } from "../../http/text.ts";
import { queueNames } from "../queues.ts";

export const queueNameSchema = z.enum(queueNames).openapi({ example: "critical" });

const windowCounts = z.object({ lastMinute: z.number().int(), lastHour: z.number().int() });

export const queueMetricsSchema = z
  .object({
    queues: z.array(
      z.object({
        queue: queueNameSchema,
        priority: z.number().int().openapi({ example: 10 }),
        counts: z.object({
          created: z.number().int(),
          retry: z.number().int(),
          active: z.number().int(),
          completed: z.number().int(),
          cancelled: z.number().int(),
          failed: z.number().int(),
        }),
        oldestWaitingSeconds: z.number().openapi({ description: "Age of the oldest job ready to run; 0 when none waits" }),
        completed: windowCounts,
        failed: windowCounts.openapi({ description: "Jobs that failed for good (after their last retry)" }),
        deadLetter: z.number().int().openapi({ description: "Jobs waiting in the dead-letter queue" }),
      }),
    ),
  })
  .openapi("QueueMetrics");

export const deadLetterSchema = z
  .object({
    id: z.string().uuid().openapi({ description: "Dead letter id: what replay takes" }),
    jobId: z.string().nullable().openapi({ description: "The job's id when it failed" }),
    job: z.string().nullable().openapi({ example: "workflows.run" }),
    queue: queueNameSchema.nullable(),
    payload: z.unknown(),
    attempts: z.number().int().openapi({ example: 4 }),
    lastError: z.unknown().openapi({ example: { name: "Error", message: "upstream answered 502" } }),
    enqueuedAt: z.string().nullable(),
    deadLetteredAt: z.string(),
  })
  .openapi("DeadLetter");

export const deadLetterPageSchema = z
  .object({ items: z.array(deadLetterSchema), nextCursor: z.string().nullable(), total: z.number().int() })
  .openapi("DeadLetterPage");

export const listDeadLettersQuery = z.object({
  queue: queueNameSchema.optional(),
  cursor: text()
    .max(200)
    .optional()
    .openapi({ description: "`nextCursor` from the previous page of this same query (signed; one from another filter is a 400)" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const replayBodySchema = z
  .object({
    id: text().uuid().optional().openapi({ description: "Replay this one dead letter" }),
    queue: queueNameSchema.optional().openapi({ description: "Replay every dead letter of this queue" }),
  })
  .refine((body) => (body.id === undefined) !== (body.queue === undefined), { message: "give exactly one of id or queue" })
  .openapi("ReplayRequest");

export const replayResultSchema = z
  .object({
    replayed: z.number().int().openapi({ description: "Dead letters moved back; 0 when they were already replayed" }),
    jobs: z.array(z.object({ deadLetterId: z.string(), jobId: z.string(), job: z.string().nullable() })),
  })
  .openapi("ReplayResult");
