import { auditSourceOf } from "../../../platform/audit/audit-source.ts";
import { recordAuditEvent } from "../../../platform/audit/record-audit-event.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { privacySettingsSchema, updatePrivacySettingsSchema } from "../schemas/privacy.ts";
import { getPrivacySettings, updatePrivacySettings } from "../services/privacy-settings.ts";
import { asCaller, signedInUser, userSecurity } from "./user-auth.ts";

export const getPrivacySettingsRoute = defineRoute({
  method: "get",
  path: "/api/privacy/settings",
  operationId: "getPrivacySettings",
  tags: ["insights"],
  summary: "The signed-in user's privacy settings (defaults: telemetry on, 90 days' retention)",
  security: userSecurity,
  middleware: [signedInUser] as const,
  responses: {
    200: { description: "The settings", content: { "application/json": { schema: privacySettingsSchema } } },
    ...authErrorResponses,
  },
});

export const updatePrivacySettingsRoute = defineRoute({
  method: "put",
  path: "/api/privacy/settings",
  operationId: "updatePrivacySettings",
  tags: ["insights"],
  summary: "Turn telemetry on or off and set its retention (7–365 days); fields left out keep their value. Audited",
  security: userSecurity,
  middleware: [signedInUser] as const,
  request: { body: { required: true, content: { "application/json": { schema: updatePrivacySettingsSchema } } } },
  responses: {
    200: { description: "The settings now", content: { "application/json": { schema: privacySettingsSchema } } },
    ...authErrorResponses,
  },
});

export function registerPrivacySettings(app: AppRouter): void {
  app.openapi(getPrivacySettingsRoute, async (c) => {
    const settings = await asCaller(c, (tx, userId) => getPrivacySettings(tx, userId));
    c.header("cache-control", "private, no-store");
    return c.json(settings, 200);
  });
  app.openapi(updatePrivacySettingsRoute, async (c) => {
    const changes = c.req.valid("json");
    const settings = await asCaller(c, async (tx, userId) => {
      const { before, after } = await updatePrivacySettings(tx, userId, changes);
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId: null,
        action: "privacy_settings.updated",
        target: { type: "user", id: userId },
        metadata: {
          before: { telemetryEnabled: before.telemetryEnabled, retentionDays: before.retentionDays },
          after: { telemetryEnabled: after.telemetryEnabled, retentionDays: after.retentionDays },
        },
      });
      return after;
    });
    return c.json(settings, 200);
  });
}
