import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { userTenant } from "../../../platform/identity/identity-settings.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { draftSchema } from "../schemas.ts";
import { getDraft } from "../services/drafts.ts";

export const getDraftRoute = defineRoute({
  method: "get",
  path: "/api/drafts/me",
  operationId: "getDraft",
  tags: ["community"],
  summary: "The signed-in user's create-flow draft ({ payload: null } when none is saved)",
  security: [{ SessionCookie: [] }, { BearerAuth: [] }],
  middleware: [requireAuth({ scopes: [], principals: ["user"] })] as const,
  responses: {
    200: { description: "The draft", content: { "application/json": { schema: draftSchema } } },
    ...authErrorResponses,
  },
});

export function registerGetDraft(app: AppRouter): void {
  app.openapi(getDraftRoute, async (c) => {
    const principal = principalOf(c);
    const draft = await withTenant(c.get("services").db, userTenant(principal), (tx) => getDraft(tx, principal.id));
    c.header("cache-control", "private, no-store");
    return c.json(draft, 200);
  });
}
