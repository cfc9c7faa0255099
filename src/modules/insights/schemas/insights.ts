import { z } from "@hono/zod-openapi";

export const insightIdSchema = z.string().regex(/^ins_[0-9a-z]{1,64}$/);

export const insightSchema = z
  .object({
    id: insightIdSchema,
    kind: z.enum(["pattern", "performance"]),
    key: z
      .string()
      .openapi({ description: "What the finding is about; stable across runs (`sequence:a>b`, `peak-hour`, `slow-app:figma`)" }),
    title: z.string(),
    data: z.record(z.string(), z.unknown()).openapi({ type: "object", description: "The figures behind the finding" }),
    createdAt: z.string().datetime().openapi({ description: "When the finding first appeared" }),
    updatedAt: z.string().datetime().openapi({ description: "When a run last confirmed it" }),
  })
  .openapi("Insight", {
    example: {
      id: "ins_4k2m7q8x1c3v5b6n0zpa",
      kind: "pattern",
      key: "sequence:message.read>issue.created",
      title: "You often go from message.read to issue.created",
      data: { sequence: ["message.read", "issue.created"], occurrences: 14, days: 6 },
      createdAt: "2026-03-02T09:20:00.000Z",
      updatedAt: "2026-03-04T17:05:00.000Z",
    },
  });

export const insightListSchema = z
  .object({
    data: z.array(insightSchema),
    nextCursor: z.string().nullable().openapi({ description: "Pass as ?cursor= for the next page; null on the last page", example: null }),
  })
  .openapi("InsightList");

export const listInsightsQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  cursor: z.string().min(1).max(512).optional().openapi({ example: "eyJzZXEiOiI0MiJ9.c2lnbmF0dXJl" }),
  kind: z.enum(["pattern", "performance"]).optional().openapi({ example: "pattern" }),
});

const sequenceSchema = z.object({
  sequence: z.array(z.string()).openapi({ example: ["message.read", "issue.created"] }),
  occurrences: z.number().int(),
  days: z.number().int().openapi({ description: "Days on which it happened" }),
});

export const patternsSchema = z
  .object({
    windowDays: z.number().int(),
    sessionGapMinutes: z
      .number()
      .int()
      .openapi({ description: "A pause longer than this starts a new session (sequences never span one)" }),
    analyzedAt: z.string().datetime().nullable().openapi({ description: "null: no analysis has run for this user yet" }),
    events: z.number().int().openapi({ description: "Events in the window" }),
    sequences: z.array(sequenceSchema).openapi({ description: "Most frequent sequences of event types (2 or 3 long, repeats collapsed)" }),
    hourOfDay: z.array(z.number().int()).openapi({ description: "Events per hour of the day, UTC, index 0 = 00:00–00:59" }),
    weekday: z.array(z.number().int()).openapi({ description: "Events per weekday, UTC, index 0 = Monday" }),
    streaks: z.object({
      current: z.number().int().openapi({ description: "Consecutive active days ending today or yesterday (UTC)" }),
      longest: z.number().int(),
      activeDays: z.number().int(),
      lastActiveDay: z.string().nullable().openapi({ example: "2026-03-04" }),
    }),
  })
  .openapi("UsagePatterns", {
    example: {
      windowDays: 30,
      sessionGapMinutes: 30,
      analyzedAt: "2026-03-04T17:05:00.000Z",
      events: 1240,
      sequences: [{ sequence: ["message.read", "issue.created"], occurrences: 14, days: 6 }],
      hourOfDay: [0, 0, 0, 0, 0, 0, 0, 12, 80, 140, 160, 120, 60, 90, 150, 130, 110, 70, 40, 20, 10, 5, 2, 0],
      weekday: [260, 250, 240, 230, 200, 40, 20],
      streaks: { current: 4, longest: 11, activeDays: 22, lastActiveDay: "2026-03-04" },
    },
  });

const latencySchema = z.object({
  count: z.number().int(),
  meanMs: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  maxMs: z.number(),
});

export const performanceSchema = z
  .object({
    windowDays: z.number().int(),
    analyzedAt: z.string().datetime().nullable(),
    apps: z.array(
      z.object({
        app: z.string(),
        samples: z.number().int().openapi({ description: "Events that carried a latency or an error signal" }),
        errors: z.number().int(),
        errorRate: z.number().openapi({ description: "errors / samples" }),
        latency: latencySchema
          .nullable()
          .openapi({ description: "Percentiles within 1% relative error; null when no event had a duration" }),
      }),
    ),
  })
  .openapi("AppPerformance", {
    example: {
      windowDays: 30,
      analyzedAt: "2026-03-04T17:05:00.000Z",
      apps: [
        {
          app: "figma",
          samples: 412,
          errors: 9,
          errorRate: 0.0218,
          latency: { count: 400, meanMs: 640.2, p50Ms: 480.1, p95Ms: 1890.5, p99Ms: 3120.7, maxMs: 5400 },
        },
      ],
    },
  });

export const windowQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(365).default(30).openapi({ description: "Window in UTC days, today included", example: 30 }),
});
