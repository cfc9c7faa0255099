import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { cursorCodec, cursorExample } from "../../../platform/http/keyset-cursor.ts";
import { orgIdSchema } from "../../../platform/keys/schemas.ts";
import { tenantOf, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { workflowIdSchema } from "../schemas.ts";
import { listLogs } from "../services/list-logs.ts";
import { orgForCollection } from "./org-context.ts";

const logSchema = z
  .object({
    id: z.string().openapi({ example: "log_5g7h9j1k3l5m7n9p1q3r" }),
    level: z.enum(["debug", "info", "warn", "error"]),
    message: z.string().openapi({ example: "receiver said ok for [redacted:email]" }),
    metadata: z.record(z.string(), z.unknown()).openapi({ example: { runId: "run_2b4d6f8h0j2l4n6p8r0t", step: "note" } }),
    workflowId: z.string().nullable().openapi({ example: "wf_8h2k4m6n8p0r2t4v6x8z" }),
    jobId: z.string().nullable().openapi({ example: "5c0c8e36-0d45-4f3b-9a9e-6c1f2d7b8a10" }),
    piiRedacted: z.boolean().openapi({ description: "true when personal data was replaced before the row was written", example: true }),
    createdAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.391Z" }),
  })
  .openapi("LogEntry");

export const listLogsRoute = defineRoute({
  method: "get",
  path: "/api/v1/logs",
  operationId: "listLogs",
  tags: ["workflows"],
  summary: "Workflow logs, newest first (personal data redacted before it was stored)",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["logs:read"] })] as const,
  request: {
    query: z.object({
      orgId: orgIdSchema.optional().openapi({ description: "Required for a platform-wide key" }),
      level: z.enum(["debug", "info", "warn", "error"]).optional(),
      workflow_id: workflowIdSchema.optional(),
      job_id: z.string().uuid().optional().openapi({ example: "5c0c8e36-0d45-4f3b-9a9e-6c1f2d7b8a10" }),
      from: z
        .string()
        .datetime({ offset: true })
        .optional()
        .openapi({ description: "At or after this time", example: "2026-11-22T00:00:00Z" }),
      to: z.string().datetime({ offset: true }).optional().openapi({ description: "Before this time", example: "2026-11-23T00:00:00Z" }),
      limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
      cursor: z.string().max(500).optional().openapi({ example: cursorExample }),
    }),
  },
  responses: {
    200: {
      description: "One page of log rows",
      content: {
        "application/json": {
          schema: z
            .object({ data: z.array(logSchema), nextCursor: z.string().nullable().openapi({ example: cursorExample }) })
            .openapi("LogList"),
        },
      },
    },
    ...authErrorResponses,
  },
});

const isPosition = (value: unknown): value is { seq: string } =>
  typeof value === "object" && value !== null && /^[1-9][0-9]{0,18}$/.test(String((value as { seq?: unknown }).seq));

export function registerListLogs(app: AppRouter): void {
  app.openapi(listLogsRoute, async (c) => {
    const query = c.req.valid("query");
    const orgId = orgForCollection(c, query.orgId);
    const { db, config } = c.get("services");
    const cursor = cursorCodec(config.BACKPLANE_SECRET, "logs", isPosition);
    const binding = JSON.stringify([orgId, query.level, query.workflow_id, query.job_id, query.from, query.to]);
    const after = query.cursor === undefined ? undefined : cursor.decode(query.cursor, binding).seq;
    const filter = {
      orgId,
      level: query.level,
      workflowId: query.workflow_id,
      jobId: query.job_id,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    };
    const page = await withTenant(db, tenantOf(principalOf(c), orgId), (tx) =>
      listLogs(tx, filter, { limit: query.limit, afterSeq: after }),
    );
    return c.json({ data: page.data, nextCursor: page.nextSeq === null ? null : cursor.encode({ seq: page.nextSeq }, binding) }, 200);
  });
}
