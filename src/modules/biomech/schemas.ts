import { z } from "@hono/zod-openapi";
import { text } from "../../platform/http/text.ts";
import { idPattern } from "../../platform/ids.ts";

export const sessionKinds = ["sprint", "jump", "squat", "throw", "gait"] as const;

export const orgIdParam = text().regex(idPattern("org"), "must be an org id (org_…)").openapi({ example: "org_4f9k2m7q8x1c3v5b6n0z" });
export const athleteIdParam = text()
  .regex(idPattern("ath"), "must be an athlete id (ath_…)")
  .openapi({ example: "ath_2k4m6n8p0q1r3s5t7u9v" });
export const sessionIdParam = text()
  .regex(idPattern("ses"), "must be a session id (ses_…)")
  .openapi({ example: "ses_9x8w7v6u5t4s3r2q1p0o" });

/**
 * The fields a coaching view needs, and no more: raw capture data, device serials and
 * internal timestamps stay in the database (the seed asks not to over-expose raw data).
 */
export const sessionSchema = z
  .object({
    id: sessionIdParam,
    athleteId: athleteIdParam,
    capturedAt: z.string().datetime().openapi({ example: "2026-03-14T09:26:53.589Z" }),
    kind: z.enum(sessionKinds),
    durationMs: z.number().int().min(0).openapi({ example: 8450 }),
    summary: z
      .object({
        repCount: z.number().int().min(0).openapi({ example: 6 }),
        peakForceN: z.number().nullable().openapi({ description: "Peak force, newtons", example: 2140.5 }),
        peakVelocityMps: z.number().nullable().openapi({ description: "Peak velocity, metres per second", example: 3.2 }),
        asymmetryPct: z.number().nullable().openapi({ description: "Left/right asymmetry, percent", example: 4.1 }),
      })
      .openapi("BiomechSessionSummary"),
  })
  .openapi("BiomechSession");

export const sessionPageSchema = z
  .object({
    data: z.array(sessionSchema),
    nextCursor: z.string().nullable().openapi({
      description: "Pass as `cursor` for the next page; null on the last page",
      example: "eyJhdCI6IjIwMjYtMDMtMTRUMDk6MjY6NTMuNTg5WiJ9.c2lnbmF0dXJl",
    }),
  })
  .openapi("BiomechSessionPage");

export type Session = z.infer<typeof sessionSchema>;
