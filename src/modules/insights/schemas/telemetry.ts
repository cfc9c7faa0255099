import { z } from "@hono/zod-openapi";

/** Seed 002 / issue 13: at most 500 events and 1 MB per batch. */
export const TELEMETRY_MAX_EVENTS = 500;
export const TELEMETRY_BODY_LIMIT = 1024 * 1024;
/** One event's properties, as JSON. */
export const TELEMETRY_MAX_PROPERTIES_BYTES = 8 * 1024;
export const TELEMETRY_PATH = "/api/telemetry/events";

export const eventTypePattern = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$/;

export const telemetryEventSchema = z
  .object({
    id: z.uuid().openapi({ description: "The client's own id for this event; a resend of it is a duplicate" }),
    type: z.string().regex(eventTypePattern, "letters, digits and _ . : / - (at most 100)").openapi({ example: "document.edited" }),
    occurredAt: z
      .string()
      .datetime({ offset: true })
      .openapi({ description: "When it happened (RFC 3339); at most 365 days ago and 24 hours ahead", example: "2026-03-02T09:15:00Z" }),
    app: z.string().trim().min(1).max(100).optional().openapi({ description: "The application it happened in", example: "notion" }),
    properties: z
      .record(z.string(), z.unknown())
      .optional()
      .refine((value) => value === undefined || Buffer.byteLength(JSON.stringify(value)) <= TELEMETRY_MAX_PROPERTIES_BYTES, {
        message: `at most ${TELEMETRY_MAX_PROPERTIES_BYTES} bytes of JSON`,
      })
      .openapi({
        type: "object",
        description:
          "Free-form facts. analyze-performance reads `durationMs` (or `latencyMs`) as latency and `error` (present, not false), `ok: false` or `status` ≥ 500 as an error",
        example: { durationMs: 182, status: 200 },
      }),
  })
  .openapi("TelemetryEvent");

export const telemetryBatchSchema = z
  .object({
    events: z.array(telemetryEventSchema).min(1).max(TELEMETRY_MAX_EVENTS),
  })
  .openapi("TelemetryBatch", {
    example: {
      events: [
        {
          id: "0b6f2f5e-4c1d-4f7a-9a51-1f0d2c3b4a59",
          type: "document.edited",
          occurredAt: "2026-03-02T09:15:00Z",
          app: "notion",
          properties: { durationMs: 182 },
        },
        { id: "6e3c1b0a-8d2f-4e5b-9c7a-2b1d0e4f3a68", type: "message.sent", occurredAt: "2026-03-02T09:16:30Z", app: "slack" },
      ],
    },
  });

export const telemetryResultSchema = z
  .object({
    accepted: z.number().int().openapi({ description: "Events stored by this request" }),
    duplicates: z.number().int().openapi({ description: "Events already stored (a resend) or repeated within the batch" }),
    dropped: z.number().int().openapi({
      description: "Events not stored: telemetry is off for this user (all of them), or they happened before the user's retention period",
    }),
    telemetryEnabled: z.boolean(),
  })
  .openapi("TelemetryResult", { example: { accepted: 2, duplicates: 0, dropped: 0, telemetryEnabled: true } });

export type TelemetryEvent = z.infer<typeof telemetryEventSchema>;
export type TelemetryResult = z.infer<typeof telemetryResultSchema>;
