import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { validationError } from "../../../platform/http/validation-error.ts";
import { userTenant } from "../../../platform/identity/identity-settings.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { pullChanges } from "../sync/pull-changes.ts";
import { migrationSchema, pullQuerySchema, pullResultSchema, type SyncMigration } from "../sync/schemas.ts";

export const syncPullRoute = defineRoute({
  method: "get",
  path: "/api/sync/pull",
  operationId: "syncPull",
  tags: ["training"],
  summary: "WatermelonDB pull: every change since last_pulled_at (everything on the first sync), and the next timestamp",
  description:
    "The REST mirror of tRPC `sync.pullChanges` (same schemas). One response, no pages. Records are raw WatermelonDB records: instants as epoch ms, dates as YYYY-MM-DD.",
  security: [{ BearerAuth: [] }, { SessionCookie: [] }],
  middleware: [requireAuth({ scopes: [], principals: ["user"] })] as const,
  request: { query: pullQuerySchema },
  responses: {
    200: { description: "The changes and the timestamp to send next time", content: { "application/json": { schema: pullResultSchema } } },
    ...authErrorResponses,
  },
});

function parseMigration(raw: string | undefined): SyncMigration {
  if (raw === undefined || raw === "" || raw === "null" || raw === "undefined") return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new AppError("validation_failed", "query.migration: must be JSON (WatermelonDB's migration argument)", {
      details: [{ field: "query.migration", message: "must be JSON" }],
    });
  }
  const parsed = migrationSchema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, "query.migration");
  return parsed.data;
}

export function registerSyncPull(app: AppRouter): void {
  app.openapi(syncPullRoute, async (c) => {
    const principal = principalOf(c);
    const query = c.req.valid("query");
    const migration = parseMigration(query.migration);
    const result = await withTenant(c.get("services").db, userTenant(principal), (tx) =>
      pullChanges(tx, { userId: principal.id, lastPulledAt: query.last_pulled_at, migration }),
    );
    c.header("cache-control", "no-store");
    return c.json(result, 200);
  });
}
