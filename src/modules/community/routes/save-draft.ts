import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { userTenant } from "../../../platform/identity/identity-settings.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { draftSchema, saveDraftBodySchema } from "../schemas.ts";
import { saveDraft } from "../services/drafts.ts";

export const saveDraftRoute = defineRoute({
  method: "put",
  path: "/api/drafts/me",
  operationId: "saveDraft",
  tags: ["community"],
  summary: "Save (replace) the signed-in user's create-flow draft, at most 256 KB",
  security: [{ SessionCookie: [] }, { BearerAuth: [] }],
  middleware: [requireAuth({ scopes: [], principals: ["user"] })] as const,
  request: { body: { required: true, content: { "application/json": { schema: saveDraftBodySchema } } } },
  responses: {
    200: { description: "Saved", content: { "application/json": { schema: draftSchema } } },
    ...authErrorResponses,
  },
});

export function registerSaveDraft(app: AppRouter): void {
  app.openapi(saveDraftRoute, async (c) => {
    const principal = principalOf(c);
    const { payload } = c.req.valid("json");
    const draft = await withTenant(c.get("services").db, userTenant(principal), (tx) => saveDraft(tx, principal.id, payload));
    return c.json(draft, 200);
  });
}
