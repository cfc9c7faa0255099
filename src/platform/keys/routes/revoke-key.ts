import { z } from "@hono/zod-openapi";
import { keyVerifierFor } from "../../auth/key-verifier.ts";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { revokeKey } from "../revoke-key.ts";
import { keyIdSchema, keyInfoSchema } from "../schemas.ts";

export const revokeKeyRoute = defineRoute({
  method: "delete",
  path: "/api/v1/keys/{id}",
  tags: ["keys"],
  summary: "Revoke an API key now (idempotent). Other instances stop accepting it within API_KEY_CACHE_TTL_SECONDS.",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["keys:manage"] })] as const,
  request: { params: z.object({ id: keyIdSchema }) },
  responses: {
    200: { description: "The revoked key", content: { "application/json": { schema: keyInfoSchema } } },
    ...authErrorResponses,
  },
});

export function registerRevokeKey(app: AppRouter): void {
  app.openapi(revokeKeyRoute, async (c) => {
    const services = c.get("services");
    const { id } = c.req.valid("param");
    // Another org's key answers 404, the same as a key that does not exist.
    const revoked = await revokeKey(services.db, { id, withinOrg: principalOf(c).orgId });
    keyVerifierFor(services).forget(id);
    c.get("log").info({ revokedKeyId: id }, "api key revoked");
    return c.json(revoked, 200);
  });
}
