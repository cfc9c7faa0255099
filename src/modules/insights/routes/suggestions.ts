import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../../platform/audit/audit-source.ts";
import { recordAuditEvent } from "../../../platform/audit/record-audit-event.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { lastRunOf } from "../jobs/analysis-state.ts";
import { dismissedSchema, suggestionIdSchema, suggestionListSchema } from "../schemas/integrations.ts";
import { dismissSuggestion, listSuggestions } from "../services/suggestions.ts";
import { asCaller, signedInUser, userSecurity } from "./user-auth.ts";

export const listSuggestionsRoute = defineRoute({
  method: "get",
  path: "/api/integrations/suggestions",
  operationId: "listIntegrationSuggestions",
  tags: ["insights"],
  summary: "Integrations worth connecting, strongest first, each with why (the evidence counts); dismissed ones are left out",
  security: userSecurity,
  middleware: [signedInUser] as const,
  responses: {
    200: { description: "Open suggestions", content: { "application/json": { schema: suggestionListSchema } } },
    ...authErrorResponses,
  },
});

export const dismissSuggestionRoute = defineRoute({
  method: "post",
  path: "/api/integrations/suggestions/{id}/dismiss",
  operationId: "dismissIntegrationSuggestion",
  tags: ["insights"],
  summary: "Dismiss a suggestion: it is not offered again",
  security: userSecurity,
  middleware: [signedInUser] as const,
  request: { params: z.object({ id: suggestionIdSchema }) },
  responses: {
    200: { description: "Dismissed", content: { "application/json": { schema: dismissedSchema } } },
    ...authErrorResponses,
  },
});

export function registerSuggestionRoutes(app: AppRouter): void {
  app.openapi(listSuggestionsRoute, async (c) => {
    const body = await asCaller(c, async (tx, userId) => ({
      data: await listSuggestions(tx, userId),
      generatedAt: await lastRunOf(tx, userId, "suggestions"),
    }));
    c.header("cache-control", "private, no-store");
    return c.json(body, 200);
  });
  app.openapi(dismissSuggestionRoute, async (c) => {
    const { id } = c.req.valid("param");
    const dismissed = await asCaller(c, async (tx, userId) => {
      const result = await dismissSuggestion(tx, userId, id);
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId: null,
        action: "suggestion.dismissed",
        target: { type: "suggestion", id },
        metadata: { integrationId: result.integrationId },
      });
      return result;
    });
    return c.json({ id: dismissed.id, dismissedAt: dismissed.dismissedAt }, 200);
  });
}
