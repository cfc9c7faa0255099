import { z } from "@hono/zod-openapi";
import { idPattern } from "../../ids.ts";

export const exportIdSchema = z
  .string()
  .regex(idPattern("pex"))
  .openapi({ param: { name: "id", in: "path" }, example: "pex_3k9x2m7q8x1c3v5b6n0z" });

export const exportSchema = z
  .object({
    id: z.string().openapi({ example: "pex_3k9x2m7q8x1c3v5b6n0z" }),
    status: z.enum(["pending", "ready", "failed", "expired"]).openapi({ example: "ready" }),
    requestedAt: z.string().datetime().openapi({ example: "2025-03-01T10:00:00.000Z" }),
    completedAt: z.string().datetime().nullable().openapi({ example: "2025-03-01T10:00:02.000Z" }),
    expiresAt: z
      .string()
      .datetime()
      .nullable()
      .openapi({ description: "24 hours after it was built; then it is gone", example: "2025-03-02T10:00:02.000Z" }),
    bytes: z.number().int().nullable().openapi({ example: 18234 }),
    downloadUrl: z
      .string()
      .nullable()
      .openapi({ description: "While ready", example: "/api/privacy/export/pex_3k9x2m7q8x1c3v5b6n0z/download" }),
  })
  .openapi("PrivacyExport");

export const exportBundleSchema = z
  .object({
    format: z.literal("backplane-privacy-export/1"),
    exportId: z.string(),
    generatedAt: z.string().datetime(),
    subject: z.object({ userId: z.string(), email: z.string() }),
    modules: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .openapi({ description: "What each module holds about the user, by module name (the platform's is `backplane`)" }),
    modulesWithoutUserData: z.array(z.string()),
  })
  .openapi("PrivacyExportBundle", {
    example: {
      format: "backplane-privacy-export/1",
      exportId: "pex_3k9x2m7q8x1c3v5b6n0z",
      generatedAt: "2025-03-01T10:00:02.000Z",
      subject: { userId: "usr_3k9x2m7q8x1c3v5b6n0z", email: "ada@example.com" },
      modules: {
        backplane: { identity: { user: { id: "usr_3k9x2m7q8x1c3v5b6n0z", email: "ada@example.com" } }, audit: { events: [] } },
        community: { draft: null, rules: [] },
      },
      modulesWithoutUserData: ["biomech", "workflows"],
    },
  });

export const deleteBodySchema = z
  .object({
    confirmEmail: z.string().trim().min(3).max(320).openapi({
      description: "The signed-in user's own email, typed again: the explicit confirmation that everything is to be erased",
      example: "ada@example.com",
    }),
  })
  .openapi("PrivacyDeleteRequest");

export const deletionSchema = z
  .object({
    id: z.string().openapi({ example: "pdl_5x8k2m7q8x1c3v5b6n0z" }),
    status: z.enum(["pending", "done"]).openapi({ example: "pending" }),
    requestedAt: z.string().datetime().openapi({ example: "2025-03-01T10:00:00.000Z" }),
  })
  .openapi("PrivacyDeletion");
