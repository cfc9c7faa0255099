import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../audit/audit-source.ts";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute, errorResponse } from "../../http/define-route.ts";
import type { JobRegistry } from "../../jobs/job-registry.ts";
import { replayStoredWebhookEvent } from "../replay-stored-event.ts";
import { webhookEventIdSchema, webhookEventSchema } from "./schemas.ts";

export const replayWebhookEventRoute = defineRoute({
  method: "post",
  path: "/api/v1/webhook-events/{id}/replay",
  operationId: "replayWebhookEvent",
  tags: ["webhooks"],
  summary: "Process a stored webhook event again (its job is enqueued anew); audited",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["workflows:create"] })] as const,
  request: { params: z.object({ id: webhookEventIdSchema }) },
  responses: {
    202: {
      description: "Enqueued again",
      content: {
        "application/json": {
          schema: z
            .object({ event: webhookEventSchema, jobId: z.string().openapi({ example: "9c4d2e1f-0a3b-4c5d-8e7f-6a5b4c3d2e1f" }) })
            .openapi("WebhookEventReplay"),
        },
      },
    },
    ...authErrorResponses,
    409: errorResponse("No module in this deployment processes the event's job"),
  },
});

export function registerReplayWebhookEvent(app: AppRouter, registry: JobRegistry): void {
  app.openapi(replayWebhookEventRoute, async (c) => {
    const { db, jobs } = c.get("services");
    const { id } = c.req.valid("param");
    const result = await replayStoredWebhookEvent(
      { db, jobs, findJob: (name) => registry.get(name) },
      principalOf(c),
      id,
      auditSourceOf(c),
    );
    return c.json(result, 202);
  });
}
