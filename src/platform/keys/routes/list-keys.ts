import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf, requireOrg } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { listKeys } from "../list-keys.ts";
import { keyListSchema, orgIdSchema } from "../schemas.ts";

export const listKeysRoute = defineRoute({
  method: "get",
  path: "/api/v1/keys",
  tags: ["keys"],
  summary: "List API keys, newest first (never their secrets)",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["keys:manage"] })] as const,
  request: {
    query: z.object({
      orgId: orgIdSchema.optional().openapi({ description: "Only this org's keys. Org-bound callers always see only their org." }),
    }),
  },
  responses: {
    200: { description: "Keys", content: { "application/json": { schema: keyListSchema } } },
    ...authErrorResponses,
  },
});

export function registerListKeys(app: AppRouter): void {
  app.openapi(listKeysRoute, async (c) => {
    const principal = principalOf(c);
    const { orgId } = c.req.valid("query");
    if (orgId !== undefined) requireOrg(c, orgId);
    const filter = orgId ?? principal.orgId ?? undefined;
    return c.json({ data: await listKeys(c.get("services").db, { orgId: filter }) }, 200);
  });
}
