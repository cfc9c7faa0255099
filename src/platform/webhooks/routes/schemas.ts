import { z } from "@hono/zod-openapi";

export const webhookEventIdSchema = z
  .string()
  .regex(/^whe_[0-9a-z]{1,64}$/, "must be a webhook event id (whe_…)")
  .openapi({ example: "whe_4k2j9h7g5f3d1s0a8p6o" });

export const webhookEventSchema = z
  .object({
    id: webhookEventIdSchema,
    orgId: z.string().nullable().openapi({ example: "org_7x1c9v3b5n7m2k4j6h8g" }),
    source: z.string().openapi({ example: "workflow-trigger:trig_1q2w3e4r5t6y7u8i9o0p" }),
    externalId: z.string().nullable().openapi({ description: "The sender's event id or the Idempotency-Key", example: "order-1042" }),
    contentType: z.string().openapi({ example: "application/json" }),
    headers: z.record(z.string(), z.string()).openapi({
      description: "A safe subset of the request headers (never credentials)",
      example: { "user-agent": "shop-backend/2.3", "content-length": "182" },
    }),
    bodyBytes: z.number().int().openapi({ example: 182 }),
    job: z.string().openapi({ example: "workflows.start-run" }),
    status: z.enum(["received", "processed", "failed"]),
    replays: z.number().int().openapi({ example: 0 }),
    lastError: z.string().nullable().openapi({ example: null }),
    receivedAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
    processedAt: z.string().datetime().nullable().openapi({ example: "2026-11-22T09:15:00.412Z" }),
  })
  .openapi("WebhookEvent");
