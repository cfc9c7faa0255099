import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../../platform/audit/audit-source.ts";
import { recordAuditEvent } from "../../../platform/audit/record-audit-event.ts";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { idempotency, idempotencyContract } from "../../../platform/idempotency/idempotency.ts";
import { orgIdSchema } from "../../../platform/keys/schemas.ts";
import { tenantOf, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { createdWorkflowSchema, createWorkflowBodySchema } from "../schemas.ts";
import { createWorkflow } from "../services/manage-workflows.ts";
import { orgForCollection } from "./org-context.ts";

export const createWorkflowRoute = defineRoute({
  method: "post",
  path: "/api/v1/workflows",
  operationId: "createWorkflow",
  tags: ["workflows"],
  summary: "Create a workflow with its triggers and steps (each trigger key is in this response only)",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["workflows:create"] }), idempotency()] as const,
  request: {
    headers: idempotencyContract.headers(),
    query: z.object({ orgId: orgIdSchema.optional().openapi({ description: "Required for a platform-wide key" }) }),
    body: { required: true, content: { "application/json": { schema: createWorkflowBodySchema } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: createdWorkflowSchema } } },
    ...authErrorResponses,
    ...idempotencyContract.responses,
  },
});

export function registerCreateWorkflow(app: AppRouter): void {
  app.openapi(createWorkflowRoute, async (c) => {
    const body = c.req.valid("json");
    const orgId = orgForCollection(c, c.req.valid("query").orgId);
    const principal = principalOf(c);
    const { db, config } = c.get("services");
    const created = await withTenant(db, tenantOf(principal, orgId), async (tx) => {
      const workflow = await createWorkflow(tx, config.BACKPLANE_SECRET, { ...body, orgId, createdBy: principal.id });
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId,
        action: "workflow.created",
        target: { type: "workflow", id: workflow.id },
        metadata: { name: workflow.name, triggers: workflow.triggers.map((trigger) => trigger.id), steps: workflow.steps.length },
      });
      return workflow;
    });
    return c.json(created, 201);
  });
}
