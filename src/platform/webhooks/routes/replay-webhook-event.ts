import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../audit/audit-source.ts";
import { recordAuditEvent } from "../../audit/record-audit-event.ts";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf, requireOrg } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute, errorResponse } from "../../http/define-route.ts";
import { AppError } from "../../http/errors.ts";
import type { JobRegistry } from "../../jobs/job-registry.ts";
import { asService, tenantOf, withTenant } from "../../tenancy/with-tenant.ts";
import { findWebhookEvent, replayWebhookEvent } from "../webhook-events.ts";
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
    const principal = principalOf(c);
    // The event's org decides the tenant transaction; another org's event is a 404, like a missing one.
    const found = await asService(db, "webhook replay lookup", (tx) => findWebhookEvent(tx, id));
    if (!found || found.orgId === null) throw new AppError("not_found", `No webhook event ${id}`);
    requireOrg(c, found.orgId, { hideAs: "not_found", notFoundMessage: `No webhook event ${id}` });
    const result = await withTenant(db, tenantOf(principal, found.orgId), async (tx) => {
      const replayed = await replayWebhookEvent(tx, jobs, (name) => registry.get(name), id);
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId: found.orgId,
        action: "webhook_event.replayed",
        target: { type: "webhook_event", id },
        metadata: { source: found.source, job: found.job, jobId: replayed.jobId },
      });
      return replayed;
    });
    return c.json(result, 202);
  });
}
