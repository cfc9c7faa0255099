import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../audit/audit-source.ts";
import { keyVerifierFor } from "../../auth/key-verifier.ts";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { withCaller } from "../../tenancy/with-tenant.ts";
import { keyIdSchema, keyInfoSchema, updateKeyBodySchema } from "../schemas.ts";
import { updateKeyRateLimit } from "../update-key.ts";

export const updateKeyRoute = defineRoute({
  method: "patch",
  path: "/api/v1/keys/{id}",
  operationId: "updateApiKey",
  tags: ["keys"],
  summary: "Set an API key's own request limit (requests per second, with burst); null returns it to API_KEY_RATE_LIMIT",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["keys:manage"] })] as const,
  request: {
    params: z.object({ id: keyIdSchema }),
    body: { required: true, content: { "application/json": { schema: updateKeyBodySchema } } },
  },
  responses: {
    200: { description: "The updated key", content: { "application/json": { schema: keyInfoSchema } } },
    ...authErrorResponses,
  },
});

export function registerUpdateKey(app: AppRouter): void {
  app.openapi(updateKeyRoute, async (c) => {
    const services = c.get("services");
    const { id } = c.req.valid("param");
    const { rateLimit } = c.req.valid("json");
    const principal = principalOf(c);
    const key = await withCaller(services.db, principal, principal.orgId, (tx) =>
      updateKeyRateLimit(tx, { id, withinOrg: principal.orgId, rateLimit, audit: auditSourceOf(c) }),
    );
    // This instance applies the new limit at once; others within API_KEY_CACHE_TTL_SECONDS.
    keyVerifierFor(services).forget(id);
    return c.json(key, 200);
  });
}
