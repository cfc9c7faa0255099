import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { requireOrg } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { text } from "../../../platform/http/text.ts";
import type { Services } from "../../../platform/module.ts";
import { asTenant, tenantOf } from "../../../platform/tenancy/with-tenant.ts";
import { biomechEnvKeys } from "../auth.ts";
import { biomechReader } from "../read-database.ts";
import { athleteIdParam, orgIdParam, sessionPageSchema } from "../schemas.ts";
import { listSessions } from "../services/list-sessions.ts";
import { sessionCursor, sessionQueryBinding } from "../session-cursor.ts";

const query = z.object({
  orgId: orgIdParam,
  athleteId: athleteIdParam.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25).openapi({ example: 25 }),
  cursor: text().min(1).max(512).optional().openapi({
    description: "`nextCursor` from the previous page of this same query",
    example: "eyJhdCI6IjIwMjYtMDMtMTRUMDk6MjY6NTMuNTg5WiJ9.c2lnbmF0dXJl",
  }),
});

export function registerListSessions(app: AppRouter, services: Services): void {
  const route = defineRoute({
    method: "get",
    path: "/api/biomech/sessions",
    operationId: "listBiomechSessions",
    tags: ["biomech"],
    summary: "An org's capture sessions, newest first, keyset-paginated",
    security: [{ ApiKey: [] }],
    middleware: [requireAuth({ scopes: ["biomech:read"], envKeys: biomechEnvKeys(services.config) })] as const,
    request: { query },
    responses: {
      200: { description: "One page", content: { "application/json": { schema: sessionPageSchema } } },
      ...authErrorResponses,
    },
  });
  const cursors = sessionCursor(services.config.BACKPLANE_SECRET);

  app.openapi(route, async (c) => {
    const { orgId, athleteId, limit, cursor } = c.req.valid("query");
    const principal = requireOrg(c, orgId);
    const binding = sessionQueryBinding(orgId, athleteId);
    const after = cursor === undefined ? undefined : cursors.decode(cursor, binding);
    const page = await listSessions(asTenant(biomechReader(c.get("services")), tenantOf(principal, orgId)), {
      orgId,
      athleteId,
      limit,
      after,
    });
    return c.json({ data: page.sessions, nextCursor: page.next ? cursors.encode(page.next, binding) : null }, 200);
  });
}
