import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute, errorResponse } from "../../../platform/http/define-route.ts";
import { userTenant } from "../../../platform/identity/identity-settings.ts";
import { pushChanges } from "../sync/push-changes.ts";
import { pushChangesBodySchema, pushQuerySchema, pushResultSchema } from "../sync/schemas.ts";

export const syncPushRoute = defineRoute({
  method: "post",
  path: "/api/sync/push",
  operationId: "syncPush",
  tags: ["training"],
  summary: "WatermelonDB push: apply the device's changes in one transaction, or nothing",
  description:
    "The REST mirror of tRPC `sync.pushChanges` (same schemas). 409 `conflict` when a pushed record changed on the server after last_pulled_at: pull, then push again.",
  security: [{ BearerAuth: [] }, { SessionCookie: [] }],
  middleware: [requireAuth({ scopes: [], principals: ["user"] })] as const,
  request: {
    query: pushQuerySchema,
    body: { required: true, content: { "application/json": { schema: pushChangesBodySchema } } },
  },
  responses: {
    200: { description: "Applied", content: { "application/json": { schema: pushResultSchema } } },
    ...authErrorResponses,
    409: errorResponse("`conflict`: records changed on the server after last_pulled_at (details.conflicts); nothing was applied"),
  },
});

export function registerSyncPush(app: AppRouter): void {
  app.openapi(syncPushRoute, async (c) => {
    const principal = principalOf(c);
    const { last_pulled_at } = c.req.valid("query");
    const { db, jobs } = c.get("services");
    await pushChanges(db, {
      jobs,
      userId: principal.id,
      tenant: userTenant(principal),
      lastPulledAt: last_pulled_at,
      changes: c.req.valid("json"),
    });
    return c.json({ ok: true as const }, 200);
  });
}
