import type { AppRouter } from "../../../platform/http/app-env.ts";
import { defineRoute } from "../../../platform/http/define-route.ts";
import { cursorCodec } from "../../../platform/http/keyset-cursor.ts";
import type { Services } from "../../../platform/module.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { listRulesQuerySchema, ruleListSchema } from "../schemas.ts";
import { isRulePosition, listRules } from "../services/rules.ts";

export const listRulesRoute = defineRoute({
  method: "get",
  path: "/api/rules",
  operationId: "listRules",
  security: [],
  tags: ["community"],
  summary: "Published rules, newest first (public: id, title, summary, timestamps)",
  request: { query: listRulesQuerySchema },
  responses: {
    200: { description: "A page of rules", content: { "application/json": { schema: ruleListSchema } } },
  },
});

export function registerListRules(app: AppRouter, services: Services): void {
  const codec = cursorCodec(services.config.BACKPLANE_SECRET, "community-rules", isRulePosition);
  app.openapi(listRulesRoute, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    // Public by design (seed §6); the rules table's read policy is open, no tenant to name.
    const page = await asService(c.get("services").db, "community: public rule list", (tx) => listRules(tx, { limit, cursor, codec }));
    return c.json(page, 200);
  });
}
