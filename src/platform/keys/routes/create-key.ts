import { auditSourceOf } from "../../audit/audit-source.ts";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute, errorResponse } from "../../http/define-route.ts";
import { AppError } from "../../http/errors.ts";
import { idempotency, idempotencyContract } from "../../idempotency/idempotency.ts";
import { withCaller } from "../../tenancy/with-tenant.ts";
import { createKey } from "../create-key.ts";
import { grantorOf } from "../delegation.ts";
import { createdKeySchema, createKeyBodySchema } from "../schemas.ts";

export const createKeyRoute = defineRoute({
  method: "post",
  path: "/api/v1/keys",
  operationId: "createApiKey",
  tags: ["keys"],
  summary: "Create an API key (the full key is in this response only)",
  description:
    "An org-bound caller grants only scopes it holds and an expiry no later than its own (no `expiresAt`: its own expiry); a platform-wide (operator) key may grant any. The new key records the caller as `parentKeyId`.",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["keys:manage"] }), idempotency()] as const,
  request: {
    headers: idempotencyContract.headers(),
    body: { required: true, content: { "application/json": { schema: createKeyBodySchema } } },
  },
  responses: {
    201: { description: "Created", content: { "application/json": { schema: createdKeySchema } } },
    ...authErrorResponses,
    ...idempotencyContract.responses,
    409: errorResponse(
      "`key_limit_reached`: the org already holds KEYS_MAX_PER_ORG live keys; `idempotency_in_flight`: a request with this Idempotency-Key is still running",
    ),
  },
});

/** `knownScopes`: the platform's and the modules' scopes; any other is refused (422). */
export function registerCreateKey(app: AppRouter, knownScopes: readonly string[]): void {
  app.openapi(createKeyRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    // Omitted: the caller's own org. A key bound to an org can only create keys in that org.
    const orgId = body.orgId === undefined ? principal.orgId : body.orgId;
    if (principal.orgId !== null && orgId !== principal.orgId) {
      throw new AppError(
        "forbidden",
        orgId === null ? "Only a platform-wide key can create platform-wide keys" : `This API key cannot access org ${orgId}`,
      );
    }
    const { db, config } = c.get("services");
    const created = await withCaller(db, principal, orgId, (tx) =>
      createKey(tx, {
        secret: config.BACKPLANE_SECRET,
        name: body.name,
        orgId,
        scopes: body.scopes,
        knownScopes,
        expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
        environment: body.environment,
        rateLimit: body.rateLimit ?? null,
        createdBy: principal.id,
        grantor: grantorOf(principal),
        maxKeysPerOrg: config.KEYS_MAX_PER_ORG,
        audit: auditSourceOf(c),
      }),
    );
    c.get("log").info({ createdKeyId: created.id, orgId: created.orgId, scopes: created.scopes }, "api key created");
    return c.json(created, 201);
  });
}
