import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { cursorCodec, cursorExample } from "../../../platform/http/keyset-cursor.ts";
import { orgIdSchema } from "../../../platform/keys/schemas.ts";
import { tenantOf, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { workflowSchema } from "../schemas.ts";
import { listWorkflows } from "../services/manage-workflows.ts";
import { orgForCollection } from "./org-context.ts";

export const listWorkflowsRoute = defineRoute({
  method: "get",
  path: "/api/v1/workflows",
  operationId: "listWorkflows",
  tags: ["workflows"],
  summary: "List workflows, newest first",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["workflows:read"] })] as const,
  request: {
    query: z.object({
      orgId: orgIdSchema.optional().openapi({ description: "Required for a platform-wide key" }),
      limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ example: 25 }),
      cursor: z.string().max(500).optional().openapi({ example: cursorExample }),
    }),
  },
  responses: {
    200: {
      description: "One page of workflows",
      content: {
        "application/json": {
          schema: z
            .object({ data: z.array(workflowSchema), nextCursor: z.string().nullable().openapi({ example: cursorExample }) })
            .openapi("WorkflowList"),
        },
      },
    },
    ...authErrorResponses,
  },
});

const isPosition = (value: unknown): value is { at: string; id: string } =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { at?: unknown }).at === "string" &&
  !Number.isNaN(Date.parse((value as { at: string }).at)) &&
  /^wf_[0-9a-z]+$/.test(String((value as { id?: unknown }).id));

export function registerListWorkflows(app: AppRouter): void {
  app.openapi(listWorkflowsRoute, async (c) => {
    const query = c.req.valid("query");
    const orgId = orgForCollection(c, query.orgId);
    const { db, config } = c.get("services");
    const cursor = cursorCodec(config.BACKPLANE_SECRET, "workflows", isPosition);
    const after = query.cursor === undefined ? undefined : cursor.decode(query.cursor, orgId);
    const page = await withTenant(db, tenantOf(principalOf(c), orgId), (tx) => listWorkflows(tx, orgId, { limit: query.limit, after }));
    return c.json({ data: page.data, nextCursor: page.next ? cursor.encode(page.next, orgId) : null }, 200);
  });
}
