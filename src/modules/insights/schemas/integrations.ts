import { z } from "@hono/zod-openapi";

export const integrationIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/)
  .max(64)
  .openapi({ param: { name: "id", in: "path" }, example: "slack" });

export const suggestionIdSchema = z
  .string()
  .regex(/^sug_[0-9a-z]{1,64}$/)
  .openapi({ param: { name: "id", in: "path" }, example: "sug_8x1c3v5b6n0zpa4k2m" });

const connectionSchema = z.object({
  connectedAt: z.string().datetime(),
  updatedAt: z.string().datetime(),
  config: z.record(z.string(), z.unknown()).openapi({ type: "object", description: "The non-secret settings, as validated" }),
  credentialFields: z
    .array(z.string())
    .openapi({ description: "Which secrets are stored (sealed; never returned)", example: ["botToken"] }),
});

export const integrationSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    category: z.string(),
    description: z.string(),
    website: z.string(),
    apps: z.array(z.string()).openapi({ description: "Telemetry `app` values that mean this product" }),
    eventTypes: z.array(z.string()).openapi({ description: "Event types that are evidence for suggesting it" }),
    configFields: z.array(z.object({ name: z.string(), secret: z.boolean(), required: z.boolean() })),
    connection: connectionSchema.nullable().openapi({ description: "null: not connected" }),
  })
  .openapi("Integration", {
    example: {
      id: "slack",
      name: "Slack",
      category: "communication",
      description: "Post summaries and alerts to a channel; turn messages into tasks.",
      website: "https://slack.com",
      apps: ["slack"],
      eventTypes: ["message.sent", "message.read"],
      configFields: [
        { name: "defaultChannel", secret: false, required: true },
        { name: "botToken", secret: true, required: true },
      ],
      connection: null,
    },
  });

export const integrationListSchema = z.object({ data: z.array(integrationSchema) }).openapi("IntegrationList");

export const connectIntegrationBodySchema = z
  .object({
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .openapi({ type: "object", description: "Settings; checked against the integration's own fields" }),
    credentials: z
      .record(z.string(), z.unknown())
      .default({})
      .openapi({ type: "object", description: "Secrets (tokens, keys): stored sealed, never returned" }),
  })
  .openapi("ConnectIntegration", {
    example: { config: { defaultChannel: "#daily-summary" }, credentials: { botToken: "xoxb-1234567890-abcdefghijklmnop" } },
  });

export const connectedIntegrationSchema = integrationSchema.openapi("ConnectedIntegration", {
  example: {
    id: "slack",
    name: "Slack",
    category: "communication",
    description: "Post summaries and alerts to a channel; turn messages into tasks.",
    website: "https://slack.com",
    apps: ["slack"],
    eventTypes: ["message.sent", "message.read"],
    configFields: [
      { name: "defaultChannel", secret: false, required: true },
      { name: "botToken", secret: true, required: true },
    ],
    connection: {
      connectedAt: "2026-03-04T17:10:00.000Z",
      updatedAt: "2026-03-04T17:10:00.000Z",
      config: { defaultChannel: "#daily-summary" },
      credentialFields: ["botToken"],
    },
  },
});

export const disconnectedSchema = z
  .object({ id: z.string(), disconnected: z.literal(true) })
  .openapi("DisconnectedIntegration", { example: { id: "slack", disconnected: true } });

export const suggestionSchema = z
  .object({
    id: suggestionIdSchema,
    integrationId: z.string(),
    integrationName: z.string(),
    reason: z.string().openapi({ description: "Why, in a sentence, with the counts" }),
    evidence: z.object({
      windowDays: z.number().int(),
      matchingEvents: z.number().int().openapi({ description: "Events in the window from the product's apps or of its event types" }),
      appEvents: z.number().int().openapi({ description: "Of those, events in the product itself (its `apps`)" }),
      activeDays: z.number().int().openapi({ description: "Days with at least one such event" }),
      sequences: z.number().int().openapi({ description: "Occurrences of frequent sequences that involve its event types" }),
      topEventTypes: z.array(z.object({ type: z.string(), events: z.number().int() })),
    }),
    score: z.number(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi("IntegrationSuggestion", {
    example: {
      id: "sug_8x1c3v5b6n0zpa4k2m",
      integrationId: "slack",
      integrationName: "Slack",
      reason:
        "42 related events on 6 of the last 30 days, 42 in Slack itself (most: message.sent ×30), and 9 repeated sequences through its event types",
      evidence: {
        windowDays: 30,
        matchingEvents: 42,
        appEvents: 42,
        activeDays: 6,
        sequences: 9,
        topEventTypes: [{ type: "message.sent", events: 30 }],
      },
      score: 69,
      createdAt: "2026-03-04T17:05:00.000Z",
      updatedAt: "2026-03-04T17:05:00.000Z",
    },
  });

export const suggestionListSchema = z
  .object({
    data: z.array(suggestionSchema),
    generatedAt: z.string().datetime().nullable().openapi({ example: "2026-03-04T17:00:00.000Z" }),
  })
  .openapi("IntegrationSuggestionList");

export const dismissedSchema = z
  .object({ id: suggestionIdSchema, dismissedAt: z.string().datetime() })
  .openapi("DismissedSuggestion", { example: { id: "sug_8x1c3v5b6n0zpa4k2m", dismissedAt: "2026-03-04T17:12:00.000Z" } });
