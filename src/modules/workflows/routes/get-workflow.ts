import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { tenantOf, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { workflowIdSchema, workflowSchema } from "../schemas.ts";
import { getWorkflow } from "../services/manage-workflows.ts";
import { orgForObject } from "./org-context.ts";

export const getWorkflowRoute = defineRoute({
  method: "get",
  path: "/api/v1/workflows/{id}",
  operationId: "getWorkflow",
  tags: ["workflows"],
  summary: "One workflow with its triggers (never their keys) and steps",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["workflows:read"] })] as const,
  request: { params: z.object({ id: workflowIdSchema }) },
  responses: {
    200: { description: "The workflow", content: { "application/json": { schema: workflowSchema } } },
    ...authErrorResponses,
  },
});

export function registerGetWorkflow(app: AppRouter): void {
  app.openapi(getWorkflowRoute, async (c) => {
    const { id } = c.req.valid("param");
    const orgId = await orgForObject(c, "workflows", id, "workflow");
    const workflow = await withTenant(c.get("services").db, tenantOf(principalOf(c), orgId), (tx) => getWorkflow(tx, orgId, id));
    return c.json(workflow, 200);
  });
}
