import { z } from "@hono/zod-openapi";
import { cursorExample } from "../../http/keyset-cursor.ts";
import { text } from "../../http/text.ts";
import { queueNames } from "../queues.ts";

export const queueNameSchema = z.enum(queueNames).openapi({ example: "critical" });

const windowCounts = z.object({
  lastMinute: z.number().int().openapi({ example: 12 }),
  lastHour: z.number().int().openapi({ example: 640 }),
});

export const queueMetricsSchema = z
  .object({
    queues: z.array(
      z.object({
        queue: queueNameSchema,
        priority: z.number().int().openapi({ example: 10 }),
        counts: z.object({
          created: z.number().int().openapi({ example: 3 }),
          retry: z.number().int().openapi({ example: 1 }),
          active: z.number().int().openapi({ example: 2 }),
          completed: z.number().int().openapi({ example: 5120 }),
          cancelled: z.number().int().openapi({ example: 0 }),
          failed: z.number().int().openapi({ example: 4 }),
        }),
        oldestWaitingSeconds: z.number().openapi({ description: "Age of the oldest job ready to run; 0 when none waits", example: 0.8 }),
        completed: windowCounts,
        failed: windowCounts.openapi({
          description: "Jobs that failed for good (after their last retry)",
          example: { lastMinute: 0, lastHour: 2 },
        }),
        deadLetter: z.number().int().openapi({ description: "Jobs waiting in the dead-letter queue", example: 1 }),
      }),
    ),
  })
  .openapi("QueueMetrics");

export const deadLetterSchema = z
  .object({
    id: z.string().uuid().openapi({ description: "Dead letter id: what replay takes", example: "5b0c1a52-3e1f-4f4e-9d8a-2c6b7e0f9a31" }),
    jobId: z.string().nullable().openapi({ description: "The job's id when it failed", example: "0f8e2d4c-7b6a-4c1e-9f3d-5a2b8c7e6d10" }),
    job: z.string().nullable().openapi({ example: "workflows.run" }),
    queue: queueNameSchema.nullable(),
    payload: z.unknown().openapi({ example: { runId: "run_7h3k9m2p5q8r1s4t6v0w", stepIndex: 0 } }),
    attempts: z.number().int().openapi({ example: 4 }),
    lastError: z.unknown().openapi({ example: { name: "Error", message: "upstream answered 502" } }),
    enqueuedAt: z.string().nullable().openapi({ example: "2026-11-22T09:14:02.118Z" }),
    deadLetteredAt: z.string().openapi({ example: "2026-11-22T09:15:40.502Z" }),
  })
  .openapi("DeadLetter");

export const deadLetterPageSchema = z
  .object({
    items: z.array(deadLetterSchema),
    nextCursor: z.string().nullable().openapi({ example: cursorExample }),
    total: z.number().int().openapi({ example: 1 }),
  })
  .openapi("DeadLetterPage");

export const listDeadLettersQuery = z.object({
  queue: queueNameSchema.optional(),
  cursor: text().max(200).optional().openapi({
    description: "`nextCursor` from the previous page of this same query (signed; one from another filter is a 400)",
    example: cursorExample,
  }),
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
});

export const replayBodySchema = z
  .object({
    id: text().uuid().optional().openapi({ description: "Replay this one dead letter" }),
    queue: queueNameSchema.optional().openapi({ description: "Replay every dead letter of this queue" }),
  })
  .refine((body) => (body.id === undefined) !== (body.queue === undefined), { message: "give exactly one of id or queue" })
  .openapi("ReplayRequest", { example: { id: "5b0c1a52-3e1f-4f4e-9d8a-2c6b7e0f9a31" } });

export const replayResultSchema = z
  .object({
    replayed: z.number().int().openapi({ description: "Dead letters moved back; 0 when they were already replayed", example: 1 }),
    jobs: z.array(
      z.object({
        deadLetterId: z.string().openapi({ example: "5b0c1a52-3e1f-4f4e-9d8a-2c6b7e0f9a31" }),
        jobId: z.string().openapi({ example: "9c4d2e1f-0a3b-4c5d-8e7f-6a5b4c3d2e1f" }),
        job: z.string().nullable().openapi({ example: "workflows.step" }),
      }),
    ),
  })
  .openapi("ReplayResult");
