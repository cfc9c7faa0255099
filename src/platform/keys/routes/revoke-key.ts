import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../audit/audit-source.ts";
import { keyVerifierFor } from "../../auth/key-verifier.ts";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { withCaller } from "../../tenancy/with-tenant.ts";
import { revokeKey } from "../revoke-key.ts";
import { keyIdSchema, revokedKeySchema } from "../schemas.ts";

export const revokeKeyRoute = defineRoute({
  method: "delete",
  path: "/api/v1/keys/{id}",
  operationId: "revokeApiKey",
  tags: ["keys"],
  summary: "Revoke an API key now (idempotent). Other instances stop accepting it within API_KEY_CACHE_TTL_SECONDS.",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["keys:manage"] })] as const,
  request: {
    params: z.object({ id: keyIdSchema }),
    query: z.object({
      cascade: z
        .enum(["true", "false"])
        .default("false")
        .openapi({ description: "true: also revoke every key this key created, transitively (their count is in `revokedDescendants`)" }),
    }),
  },
  responses: {
    200: { description: "The revoked key", content: { "application/json": { schema: revokedKeySchema } } },
    ...authErrorResponses,
  },
});

export function registerRevokeKey(app: AppRouter): void {
  app.openapi(revokeKeyRoute, async (c) => {
    const services = c.get("services");
    const { id } = c.req.valid("param");
    const cascade = c.req.valid("query").cascade === "true";
    // Another org's key answers 404, the same as a key that does not exist.
    const principal = principalOf(c);
    const revoked = await withCaller(services.db, principal, principal.orgId, (tx) =>
      revokeKey(tx, { id, withinOrg: principal.orgId, cascade, audit: auditSourceOf(c) }),
    );
    const verifier = keyVerifierFor(services);
    for (const revokedId of revoked.ids) verifier.forget(revokedId);
    c.get("log").info({ revokedKeyId: id, cascade, revokedDescendants: revoked.revokedDescendants }, "api key revoked");
    return c.json({ ...revoked.key, revokedDescendants: revoked.revokedDescendants }, 200);
  });
}
