import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../../platform/audit/audit-source.ts";
import { recordAuditEvent } from "../../../platform/audit/record-audit-event.ts";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { tenantOf, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { updateWorkflowBodySchema, workflowIdSchema, workflowSchema } from "../schemas.ts";
import { updateWorkflow } from "../services/manage-workflows.ts";
import { orgForObject } from "./org-context.ts";

export const updateWorkflowRoute = defineRoute({
  method: "patch",
  path: "/api/v1/workflows/{id}",
  operationId: "updateWorkflow",
  tags: ["workflows"],
  summary: "Change a workflow's name, priority or steps, or disable it (`enabled: false`); runs already started keep their steps",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["workflows:create"] })] as const,
  request: {
    params: z.object({ id: workflowIdSchema }),
    body: { required: true, content: { "application/json": { schema: updateWorkflowBodySchema } } },
  },
  responses: {
    200: { description: "The workflow as it is now", content: { "application/json": { schema: workflowSchema } } },
    ...authErrorResponses,
  },
});

export function registerUpdateWorkflow(app: AppRouter): void {
  app.openapi(updateWorkflowRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const orgId = await orgForObject(c, "workflows", id, "workflow");
    const workflow = await withTenant(c.get("services").db, tenantOf(principalOf(c), orgId), async (tx) => {
      const updated = await updateWorkflow(tx, orgId, id, body);
      const action = body.enabled === false ? "workflow.disabled" : body.enabled === true ? "workflow.enabled" : "workflow.updated";
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId,
        action,
        target: { type: "workflow", id },
        metadata: { fields: Object.keys(body) },
      });
      return updated;
    });
    return c.json(workflow, 200);
  });
}
