import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../../platform/audit/audit-source.ts";
import { recordAuditEvent } from "../../../platform/audit/record-audit-event.ts";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { tenantOf, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { triggerIdSchema, triggerWithKeySchema, workflowIdSchema } from "../schemas.ts";
import { rotateTriggerKey } from "../services/manage-workflows.ts";
import { orgForObject } from "./org-context.ts";

export const rotateTriggerKeyRoute = defineRoute({
  method: "post",
  path: "/api/v1/workflows/{id}/triggers/{triggerId}/rotate",
  operationId: "rotateTriggerKey",
  tags: ["workflows"],
  summary: "Give a trigger a new key (shown in this response only); the old key stops working at once",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["workflows:create"] })] as const,
  request: { params: z.object({ id: workflowIdSchema, triggerId: triggerIdSchema }) },
  responses: {
    200: { description: "The trigger with its new key", content: { "application/json": { schema: triggerWithKeySchema } } },
    ...authErrorResponses,
  },
});

export function registerRotateTriggerKey(app: AppRouter): void {
  app.openapi(rotateTriggerKeyRoute, async (c) => {
    const { id, triggerId } = c.req.valid("param");
    const orgId = await orgForObject(c, "workflows", id, "workflow");
    const { db, config } = c.get("services");
    const trigger = await withTenant(db, tenantOf(principalOf(c), orgId), async (tx) => {
      const rotated = await rotateTriggerKey(tx, config.BACKPLANE_SECRET, orgId, id, triggerId);
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId,
        action: "trigger_key.rotated",
        target: { type: "trigger", id: triggerId },
        metadata: { workflowId: id, prefix: rotated.prefix },
      });
      return rotated;
    });
    return c.json(trigger, 200);
  });
}
