import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf, requireOrg } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { cursorExample } from "../../http/keyset-cursor.ts";
import { text } from "../../http/text.ts";
import { withCaller } from "../../tenancy/with-tenant.ts";
import { keyCursor, keyListBinding } from "../key-cursor.ts";
import { listKeys } from "../list-keys.ts";
import { keyListSchema, orgIdSchema } from "../schemas.ts";

export const listKeysRoute = defineRoute({
  method: "get",
  path: "/api/v1/keys",
  operationId: "listApiKeys",
  tags: ["keys"],
  summary: "List API keys, newest first, a page at a time (never their secrets)",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["keys:manage"] })] as const,
  request: {
    query: z.object({
      orgId: orgIdSchema.optional().openapi({ description: "Only this org's keys. Org-bound callers always see only their org." }),
      limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
      cursor: text().min(1).max(300).optional().openapi({
        description: "`nextCursor` from the previous page of this same query (signed; one from another filter is a 400)",
        example: cursorExample,
      }),
    }),
  },
  responses: {
    200: { description: "One page of keys", content: { "application/json": { schema: keyListSchema } } },
    ...authErrorResponses,
  },
});

export function registerListKeys(app: AppRouter): void {
  app.openapi(listKeysRoute, async (c) => {
    const principal = principalOf(c);
    const { orgId, limit, cursor } = c.req.valid("query");
    if (orgId !== undefined) requireOrg(c, orgId);
    const filter = orgId ?? principal.orgId ?? undefined;
    const { db, config } = c.get("services");
    const cursors = keyCursor(config.BACKPLANE_SECRET);
    const binding = keyListBinding(filter);
    const after = cursor === undefined ? null : cursors.decode(cursor, binding);
    const page = await withCaller(db, principal, filter ?? null, (tx) => listKeys(tx, { orgId: filter, limit, after }));
    return c.json({ data: page.keys, nextCursor: page.next ? cursors.encode(page.next, binding) : null }, 200);
  });
}
