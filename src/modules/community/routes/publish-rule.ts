import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { userTenant } from "../../../platform/identity/identity-settings.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { publishedRuleSchema, publishRuleBodySchema } from "../schemas.ts";
import { publishRule } from "../services/rules.ts";

export const publishRuleRoute = defineRoute({
  method: "post",
  path: "/api/rules",
  operationId: "publishRule",
  tags: ["community"],
  summary: "Publish a rule owned by the signed-in user (no edit or delete in v1)",
  security: [{ SessionCookie: [] }, { BearerAuth: [] }],
  middleware: [requireAuth({ scopes: [], principals: ["user"] })] as const,
  request: { body: { required: true, content: { "application/json": { schema: publishRuleBodySchema } } } },
  responses: {
    201: { description: "Published", content: { "application/json": { schema: publishedRuleSchema } } },
    ...authErrorResponses,
  },
});

export function registerPublishRule(app: AppRouter): void {
  app.openapi(publishRuleRoute, async (c) => {
    const principal = principalOf(c);
    const body = c.req.valid("json");
    const rule = await withTenant(c.get("services").db, userTenant(principal), (tx) =>
      publishRule(tx, { userId: principal.id, title: body.title, summary: body.summary || undefined, document: body.document }),
    );
    c.get("log").info({ ruleId: rule.id }, "rule published");
    return c.json(rule, 201);
  });
}
