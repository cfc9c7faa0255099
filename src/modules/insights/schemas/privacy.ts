import { z } from "@hono/zod-openapi";

export const DEFAULT_RETENTION_DAYS = 90;

export const privacySettingsSchema = z
  .object({
    telemetryEnabled: z.boolean().openapi({ description: "Off: telemetry from this user is dropped, not stored" }),
    retentionDays: z.number().int().min(7).max(365).openapi({ description: "Telemetry older than this is deleted by the nightly cleanup" }),
    updatedAt: z.string().datetime().nullable().openapi({ description: "null: never changed (the defaults)" }),
  })
  .openapi("PrivacySettings", { example: { telemetryEnabled: true, retentionDays: 90, updatedAt: "2026-03-02T09:20:00.000Z" } });

export const updatePrivacySettingsSchema = z
  .object({
    telemetryEnabled: z.boolean().optional(),
    retentionDays: z.number().int().min(7).max(365).optional().openapi({ description: "7 to 365 days" }),
  })
  .strict()
  .refine((body) => body.telemetryEnabled !== undefined || body.retentionDays !== undefined, {
    message: "give telemetryEnabled, retentionDays or both",
  })
  .openapi("UpdatePrivacySettings", { example: { telemetryEnabled: false, retentionDays: 30 } });

export type PrivacySettings = z.infer<typeof privacySettingsSchema>;
