import { z } from "@hono/zod-openapi";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { defineRoute } from "../../../platform/http/define-route.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { templateListSchema } from "../schemas.ts";
import { listTemplates } from "../services/templates.ts";

export const listTemplatesRoute = defineRoute({
  method: "get",
  path: "/api/templates",
  operationId: "listRuleTemplates",
  security: [],
  tags: ["community"],
  summary: "Curated rule templates, in display order",
  request: { query: z.object({ category: z.string().min(1).max(100).optional().openapi({ example: "Decision-making" }) }) },
  responses: {
    200: { description: "Templates", content: { "application/json": { schema: templateListSchema } } },
  },
});

export function registerListTemplates(app: AppRouter): void {
  app.openapi(listTemplatesRoute, async (c) => {
    const { category } = c.req.valid("query");
    const data = await asService(c.get("services").db, "community: templates", (tx) => listTemplates(tx, category));
    c.header("cache-control", "public, max-age=300");
    return c.json({ data }, 200);
  });
}
