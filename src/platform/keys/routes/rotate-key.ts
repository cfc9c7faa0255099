import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../audit/audit-source.ts";
import { keyVerifierFor } from "../../auth/key-verifier.ts";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { Sql } from "../../db/database.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute, errorResponse } from "../../http/define-route.ts";
import { withCaller } from "../../tenancy/with-tenant.ts";
import { grantorOf } from "../delegation.ts";
import { rotateKey } from "../rotate-key.ts";
import { keyIdSchema, rotatedKeySchema, rotateKeyBodySchema } from "../schemas.ts";

export const rotateKeyRoute = defineRoute({
  method: "post",
  path: "/api/v1/keys/{id}/rotate",
  operationId: "rotateApiKey",
  tags: ["keys"],
  summary: "Issue a successor key; the old one keeps working for the overlap (default 24 h), then stops by itself",
  description:
    "An org-bound caller may rotate only keys whose scopes it holds (it receives the new secret), and the successor expires no later than the caller.",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["keys:manage"] })] as const,
  request: {
    params: z.object({ id: keyIdSchema }),
    body: { required: false, content: { "application/json": { schema: rotateKeyBodySchema } } },
  },
  responses: {
    201: {
      description: "The new key (shown once) and the old key's new expiry",
      content: { "application/json": { schema: rotatedKeySchema } },
    },
    ...authErrorResponses,
    409: errorResponse("The key is revoked, expired or already rotated (conflict), or the org is at KEYS_MAX_PER_ORG (key_limit_reached)"),
  },
});

export function registerRotateKey(app: AppRouter): void {
  app.openapi(rotateKeyRoute, async (c) => {
    const services = c.get("services");
    const principal = principalOf(c);
    const { id } = c.req.valid("param");
    const body = c.req.valid("json") ?? { overlapSeconds: undefined };
    // A key bound to an org rotates within it; a platform-wide key crosses orgs (service context).
    const inCallerContext = { transaction: <T>(fn: (tx: Sql) => Promise<T>) => withCaller(services.db, principal, principal.orgId, fn) };
    const rotated = await rotateKey(inCallerContext, {
      secret: services.config.BACKPLANE_SECRET,
      id,
      withinOrg: principal.orgId,
      overlapSeconds: body.overlapSeconds,
      createdBy: principal.id,
      grantor: grantorOf(principal),
      maxKeysPerOrg: services.config.KEYS_MAX_PER_ORG,
      audit: auditSourceOf(c),
    });
    keyVerifierFor(services).forget(id);
    c.get("log").info({ rotatedKeyId: id, successorId: rotated.key.id }, "api key rotated");
    return c.json(rotated, 201);
  });
}
