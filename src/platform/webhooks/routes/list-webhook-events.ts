import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf, requireOrg } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { cursorCodec, cursorExample } from "../../http/keyset-cursor.ts";
import { orgIdSchema } from "../../keys/schemas.ts";
import { withCaller } from "../../tenancy/with-tenant.ts";
import { listWebhookEvents } from "../webhook-events.ts";
import { webhookEventSchema } from "./schemas.ts";

export const listWebhookEventsRoute = defineRoute({
  method: "get",
  path: "/api/v1/webhook-events",
  operationId: "listWebhookEvents",
  tags: ["webhooks"],
  summary: "Inbound webhook events, newest first (the inbox), for operators",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["workflows:create"] })] as const,
  request: {
    query: z.object({
      orgId: orgIdSchema.optional().openapi({ description: "Only this org. Org-bound callers always see only their own org." }),
      status: z.enum(["received", "processed", "failed"]).optional(),
      source: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces")
        .optional()
        .openapi({ example: "garmin" }),
      limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
      cursor: z.string().max(500).optional().openapi({ example: cursorExample }),
    }),
  },
  responses: {
    200: {
      description: "One page of events",
      content: {
        "application/json": {
          schema: z
            .object({ data: z.array(webhookEventSchema), nextCursor: z.string().nullable().openapi({ example: cursorExample }) })
            .openapi("WebhookEventList"),
        },
      },
    },
    ...authErrorResponses,
  },
});

const isPosition = (value: unknown): value is { seq: string } =>
  typeof value === "object" && value !== null && /^[1-9][0-9]{0,18}$/.test(String((value as { seq?: unknown }).seq));

export function registerListWebhookEvents(app: AppRouter): void {
  app.openapi(listWebhookEventsRoute, async (c) => {
    const { db, config } = c.get("services");
    const query = c.req.valid("query");
    const principal = principalOf(c);
    if (query.orgId !== undefined) requireOrg(c, query.orgId);
    const orgId = query.orgId ?? principal.orgId ?? undefined;
    const cursor = cursorCodec(config.BACKPLANE_SECRET, "webhook-events", isPosition);
    const binding = JSON.stringify([orgId ?? null, query.status, query.source]);
    const after = query.cursor === undefined ? undefined : cursor.decode(query.cursor, binding).seq;
    const page = await withCaller(db, principal, orgId ?? null, (tx) =>
      listWebhookEvents(tx, { orgId, status: query.status, source: query.source }, { limit: query.limit, afterSeq: after }),
    );
    return c.json({ data: page.events, nextCursor: page.nextSeq === null ? null : cursor.encode({ seq: page.nextSeq }, binding) }, 200);
  });
}
