import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { requireOrg } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { AppError } from "../../../platform/http/errors.ts";
import type { Services } from "../../../platform/module.ts";
import { asTenant, tenantOf } from "../../../platform/tenancy/with-tenant.ts";
import { biomechEnvKeys } from "../auth.ts";
import { biomechReader } from "../read-database.ts";
import { orgIdParam, sessionIdParam, sessionSchema } from "../schemas.ts";
import { getSession } from "../services/get-session.ts";

export function registerGetSession(app: AppRouter, services: Services): void {
  const route = defineRoute({
    method: "get",
    path: "/api/biomech/sessions/{sessionId}",
    operationId: "getBiomechSession",
    tags: ["biomech"],
    summary: "One capture session of an org (404 when it is not in that org)",
    security: [{ ApiKey: [] }],
    middleware: [requireAuth({ scopes: ["biomech:read"], envKeys: biomechEnvKeys(services.config) })] as const,
    request: { params: z.object({ sessionId: sessionIdParam }), query: z.object({ orgId: orgIdParam }) },
    responses: {
      200: { description: "The session", content: { "application/json": { schema: sessionSchema } } },
      ...authErrorResponses,
    },
  });

  app.openapi(route, async (c) => {
    const { sessionId } = c.req.valid("param");
    const { orgId } = c.req.valid("query");
    const notFound = `No session ${sessionId} in org ${orgId}`;
    // Another org's session: the same 404 as a missing one, so ids cannot be probed across orgs.
    const principal = requireOrg(c, orgId, { hideAs: "not_found", notFoundMessage: notFound });
    const session = await getSession(asTenant(biomechReader(c.get("services")), tenantOf(principal, orgId)), { orgId, sessionId });
    if (!session) throw new AppError("not_found", notFound);
    return c.json(session, 200);
  });
}
