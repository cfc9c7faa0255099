import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { AppError } from "../../http/errors.ts";
import { asService } from "../../tenancy/with-tenant.ts";
import { listSnapshots } from "../list-snapshots.ts";

const snapshotSchema = z
  .object({
    id: z.string().openapi({ example: "42" }),
    tick: z.string().datetime().openapi({ example: "2025-03-01T06:00:00.000Z" }),
    collectedAt: z.string().datetime().openapi({ example: "2025-03-01T06:00:01.204Z" }),
    windowFrom: z.string().datetime().nullable().openapi({
      description: "The previous snapshot's tick (module figures cover the window since)",
      example: "2025-03-01T00:00:00.000Z",
    }),
    metrics: z.record(z.string(), z.unknown()).openapi({
      example: {
        activeUsers: { last24h: 31, last30d: 212 },
        users: 540,
        queues: {
          critical: { waiting: 0, active: 0, deadLetter: 0 },
          default: { waiting: 3, active: 1, deadLetter: 0 },
          bulk: { waiting: 0, active: 0, deadLetter: 2 },
        },
        tables: { "backplane.audit_events": 1875968, "backplane.users": 98304 },
        databaseBytes: 41943040,
        sources: { "insights.events_ingested": 120433 },
      },
    }),
  })
  .openapi("MetricsSnapshot");

export const listMetricsRoute = defineRoute({
  method: "get",
  path: "/api/metrics",
  operationId: "listMetricsSnapshots",
  tags: ["metrics"],
  summary: "Metrics snapshots (one per collection tick), newest first; a platform-wide key with metrics:read",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["metrics:read"] })] as const,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
      before: z
        .string()
        .regex(/^[1-9][0-9]{0,18}$/)
        .optional()
        .openapi({ description: "Snapshots older than this id (the previous page's nextBefore)", example: "42" }),
    }),
  },
  responses: {
    200: {
      description: "Snapshots",
      content: {
        "application/json": {
          schema: z
            .object({ data: z.array(snapshotSchema), nextBefore: z.string().nullable().openapi({ example: "23" }) })
            .openapi("MetricsSnapshotList"),
        },
      },
    },
    ...authErrorResponses,
  },
});

export function registerListMetrics(app: AppRouter): void {
  app.openapi(listMetricsRoute, async (c) => {
    const principal = principalOf(c);
    // Figures across every org: an org-bound key is refused even with the scope.
    if (principal.orgId !== null) throw new AppError("forbidden", "Metrics span every org: use a platform-wide API key");
    const query = c.req.valid("query");
    const page = await asService(c.get("services").db, `platform-wide metrics read by ${principal.id}`, (tx) => listSnapshots(tx, query));
    return c.json(page, 200);
  });
}
