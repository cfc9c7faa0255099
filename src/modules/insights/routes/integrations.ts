import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../../platform/audit/audit-source.ts";
import { recordAuditEvent } from "../../../platform/audit/record-audit-event.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import {
  connectedIntegrationSchema,
  connectIntegrationBodySchema,
  disconnectedSchema,
  integrationIdSchema,
  integrationListSchema,
} from "../schemas/integrations.ts";
import { connectIntegration, disconnectIntegration, listIntegrations } from "../services/integrations.ts";
import { asCaller, signedInUser, userSecurity } from "./user-auth.ts";

export const listIntegrationsRoute = defineRoute({
  method: "get",
  path: "/api/integrations",
  operationId: "listIntegrations",
  tags: ["insights"],
  summary: "The integration catalog, each with the signed-in user's connection (secrets never shown)",
  security: userSecurity,
  middleware: [signedInUser] as const,
  responses: {
    200: { description: "Every integration", content: { "application/json": { schema: integrationListSchema } } },
    ...authErrorResponses,
  },
});

export const connectIntegrationRoute = defineRoute({
  method: "post",
  path: "/api/integrations/{id}/connect",
  operationId: "connectIntegration",
  tags: ["insights"],
  summary: "Connect (or reconnect) an integration: settings checked against its fields, credentials sealed at rest. Audited",
  security: userSecurity,
  middleware: [signedInUser] as const,
  request: {
    params: z.object({ id: integrationIdSchema }),
    body: { required: true, content: { "application/json": { schema: connectIntegrationBodySchema } } },
  },
  responses: {
    201: { description: "Connected", content: { "application/json": { schema: connectedIntegrationSchema } } },
    200: {
      description: "Reconnected: settings and credentials replaced",
      content: { "application/json": { schema: connectedIntegrationSchema } },
    },
    ...authErrorResponses,
  },
});

export const disconnectIntegrationRoute = defineRoute({
  method: "delete",
  path: "/api/integrations/{id}",
  operationId: "disconnectIntegration",
  tags: ["insights"],
  summary: "Disconnect an integration: its settings and credentials are deleted. Audited",
  security: userSecurity,
  middleware: [signedInUser] as const,
  request: { params: z.object({ id: integrationIdSchema }) },
  responses: {
    200: { description: "Disconnected", content: { "application/json": { schema: disconnectedSchema } } },
    ...authErrorResponses,
  },
});

export function registerIntegrationRoutes(app: AppRouter): void {
  app.openapi(listIntegrationsRoute, async (c) => {
    const data = await asCaller(c, (tx, userId) => listIntegrations(tx, userId));
    c.header("cache-control", "private, no-store");
    return c.json({ data }, 200);
  });
  app.openapi(connectIntegrationRoute, async (c) => {
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    const secret = c.get("services").config.BACKPLANE_SECRET;
    const { integration, reconnected } = await asCaller(c, async (tx, userId) => {
      const result = await connectIntegration(tx, secret, { userId, id, config: body.config, credentials: body.credentials });
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId: null,
        action: result.reconnected ? "integration.reconnected" : "integration.connected",
        target: { type: "integration", id },
        metadata: {
          configFields: Object.keys(result.integration.connection?.config ?? {}),
          credentialFields: result.integration.connection?.credentialFields ?? [],
        },
      });
      return result;
    });
    return c.json(integration, reconnected ? 200 : 201);
  });
  app.openapi(disconnectIntegrationRoute, async (c) => {
    const { id } = c.req.valid("param");
    await asCaller(c, async (tx, userId) => {
      await disconnectIntegration(tx, userId, id);
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId: null,
        action: "integration.disconnected",
        target: { type: "integration", id },
      });
    });
    return c.json({ id, disconnected: true as const }, 200);
  });
}
