import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { cursorCodec, cursorExample } from "../../../platform/http/keyset-cursor.ts";
import { tenantOf, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { runIdSchema, runSchema, workflowIdSchema } from "../schemas.ts";
import { getRun, listRuns } from "../services/read-runs.ts";
import { orgForObject } from "./org-context.ts";

export const listRunsRoute = defineRoute({
  method: "get",
  path: "/api/v1/workflows/{id}/runs",
  operationId: "listWorkflowRuns",
  tags: ["workflows"],
  summary: "A workflow's runs, newest first, with each step's status, attempts, timings and output",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["workflows:read"] })] as const,
  request: {
    params: z.object({ id: workflowIdSchema }),
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ example: 25 }),
      cursor: z.string().max(500).optional().openapi({ example: cursorExample }),
    }),
  },
  responses: {
    200: {
      description: "One page of runs",
      content: {
        "application/json": {
          schema: z
            .object({ data: z.array(runSchema), nextCursor: z.string().nullable().openapi({ example: cursorExample }) })
            .openapi("RunList"),
        },
      },
    },
    ...authErrorResponses,
  },
});

export const getRunRoute = defineRoute({
  method: "get",
  path: "/api/v1/runs/{id}",
  operationId: "getRun",
  tags: ["workflows"],
  summary: "One run with its steps",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["workflows:read"] })] as const,
  request: { params: z.object({ id: runIdSchema }) },
  responses: { 200: { description: "The run", content: { "application/json": { schema: runSchema } } }, ...authErrorResponses },
});

const isPosition = (value: unknown): value is { seq: string } =>
  typeof value === "object" && value !== null && /^[1-9][0-9]{0,18}$/.test(String((value as { seq?: unknown }).seq));

export function registerRunRoutes(app: AppRouter): void {
  app.openapi(listRunsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const orgId = await orgForObject(c, "workflows", id, "workflow");
    const { db, config } = c.get("services");
    const cursor = cursorCodec(config.BACKPLANE_SECRET, "runs", isPosition);
    const after = query.cursor === undefined ? undefined : cursor.decode(query.cursor, id).seq;
    const page = await withTenant(db, tenantOf(principalOf(c), orgId), (tx) =>
      listRuns(tx, orgId, id, { limit: query.limit, afterSeq: after }),
    );
    return c.json({ data: page.data, nextCursor: page.nextSeq === null ? null : cursor.encode({ seq: page.nextSeq }, id) }, 200);
  });
  app.openapi(getRunRoute, async (c) => {
    const { id } = c.req.valid("param");
    const orgId = await orgForObject(c, "runs", id, "run");
    return c.json(await withTenant(c.get("services").db, tenantOf(principalOf(c), orgId), (tx) => getRun(tx, orgId, id)), 200);
  });
}
