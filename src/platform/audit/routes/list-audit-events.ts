import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../auth/require-auth.ts";
import { principalOf, requireOrg } from "../../auth/require-org.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { cursorCodec, cursorExample } from "../../http/keyset-cursor.ts";
import { text } from "../../http/text.ts";
import { orgIdSchema } from "../../keys/schemas.ts";
import { withCaller } from "../../tenancy/with-tenant.ts";
import { type AuditFilter, listAuditEvents } from "../list-audit-events.ts";

export const actorTypes = ["api_key", "user", "service", "env_key"] as const;
const token = (max: number) =>
  text()
    .min(1)
    .max(max)
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

const auditEventSchema = z
  .object({
    id: z.string().openapi({ example: "aud_0k3j5h7g9f1d2s4a6p8o" }),
    orgId: z.string().nullable().openapi({ description: "null: a platform-wide action", example: "org_4f9k2m7q8x1c3v5b6n0z" }),
    actor: z.object({ type: z.enum(actorTypes), id: z.string().openapi({ example: "key_2b7n4m1q9w3e5r8t0y6u" }) }),
    action: z.string().openapi({ example: "key.created" }),
    target: z
      .object({ type: z.string(), id: z.string().nullable() })
      .nullable()
      .openapi({ example: { type: "api_key", id: "key_8d2j5h1k9m3n7b4v6c0x" } }),
    requestId: z.string().nullable().openapi({ example: "01JD7Y2W3X4Z5A6B7C8D9E0F1G" }),
    clientIp: z.string().nullable().openapi({ example: "203.0.113.7" }),
    occurredAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
    metadata: z.record(z.string(), z.unknown()).openapi({
      description: "Facts about the change; secrets removed, personal data masked",
      example: { name: "billing-service", scopes: ["workflows:read"] },
    }),
  })
  .openapi("AuditEvent");

/** The listing's filters, also validated by the admin console's audit page. */
export const auditQuerySchema = z.object({
  orgId: orgIdSchema.optional().openapi({ description: "Only this org. Org-bound callers always see only their own org." }),
  action: text()
    .max(100)
    .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/, "must be noun.verb (e.g. key.created) or a prefix such as key.*")
    .optional()
    .openapi({ example: "key.*" }),
  actorType: z.enum(actorTypes).optional(),
  actorId: token(255).optional().openapi({ example: "key_2b7n4m1q9w3e5r8t0y6u" }),
  targetType: token(100).optional().openapi({ example: "api_key" }),
  targetId: token(255).optional().openapi({ example: "key_8d2j5h1k9m3n7b4v6c0x" }),
  from: text()
    .datetime({ offset: true })
    .optional()
    .openapi({ description: "Events at or after this time", example: "2026-11-01T00:00:00Z" }),
  to: text().datetime({ offset: true }).optional().openapi({ description: "Events before this time", example: "2026-12-01T00:00:00Z" }),
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  cursor: text().max(500).optional().openapi({ example: cursorExample }),
});

export const listAuditEventsRoute = defineRoute({
  method: "get",
  path: "/api/v1/audit",
  operationId: "listAuditEvents",
  tags: ["audit"],
  summary: "The audit log, newest first: who did what to which object",
  security: [{ ApiKey: [] }],
  middleware: [requireAuth({ scopes: ["audit:read"] })] as const,
  request: { query: auditQuerySchema },
  responses: {
    200: {
      description: "One page of audit events",
      content: {
        "application/json": {
          schema: z
            .object({ data: z.array(auditEventSchema), nextCursor: z.string().nullable().openapi({ example: cursorExample }) })
            .openapi("AuditEventList"),
        },
      },
    },
    ...authErrorResponses,
  },
});

const isPosition = (value: unknown): value is { seq: string } =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { seq?: unknown }).seq === "string" &&
  /^[1-9][0-9]{0,18}$/.test((value as { seq: string }).seq);

export function registerListAuditEvents(app: AppRouter): void {
  app.openapi(listAuditEventsRoute, async (c) => {
    const { db, config } = c.get("services");
    const query = c.req.valid("query");
    const principal = principalOf(c);
    if (query.orgId !== undefined) requireOrg(c, query.orgId);
    const filter: AuditFilter = {
      orgId: query.orgId ?? principal.orgId ?? undefined,
      action: query.action,
      actorType: query.actorType,
      actorId: query.actorId,
      targetType: query.targetType,
      targetId: query.targetId,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
    const cursor = cursorCodec(config.BACKPLANE_SECRET, "audit", isPosition);
    const binding = JSON.stringify([
      filter.orgId ?? null,
      query.action,
      query.actorType,
      query.actorId,
      query.targetType,
      query.targetId,
      query.from,
      query.to,
    ]);
    const after = query.cursor === undefined ? undefined : cursor.decode(query.cursor, binding).seq;
    const page = await withCaller(db, principal, filter.orgId ?? null, (tx) =>
      listAuditEvents(tx, filter, { limit: query.limit, afterSeq: after }),
    );
    return c.json({ data: page.events, nextCursor: page.nextSeq === null ? null : cursor.encode({ seq: page.nextSeq }, binding) }, 200);
  });
}
