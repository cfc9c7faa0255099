import { z } from "@hono/zod-openapi";
import { keyEnvironments } from "../auth/api-key-format.ts";
import { MAX_SCOPES, scopeSchema } from "../auth/scopes.ts";
import { cursorExample } from "../http/keyset-cursor.ts";
import { text } from "../http/text.ts";
import { idPattern } from "../ids.ts";

export const orgIdSchema = text().regex(idPattern("org"), "must be an org id (org_…)").openapi({ example: "org_4f9k2m7q8x1c3v5b6n0z" });
export const keyIdSchema = text().regex(idPattern("key"), "must be a key id (key_…)").openapi({ example: "key_8d2j5h1k9m3n7b4v6c0x" });

export const keyRateLimitSchema = z
  .object({
    perSecond: z.number().int().min(1).max(100_000).openapi({ description: "Sustained requests per second", example: 20 }),
    burst: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .optional()
      .openapi({ description: "Requests allowed at once (default: perSecond)", example: 40 }),
  })
  .openapi("ApiKeyRateLimit");

export const keyInfoSchema = z
  .object({
    id: keyIdSchema,
    name: z.string().openapi({ example: "billing-service" }),
    prefix: z.string().openapi({ description: "First characters of the key, for telling keys apart", example: "bp_live_AbCd" }),
    orgId: orgIdSchema.nullable().openapi({ description: "null: platform-wide" }),
    scopes: z.array(z.string()).openapi({ example: ["workflows:read", "workflows:create"] }),
    environment: z.enum(keyEnvironments),
    createdBy: z.string().openapi({ example: "key_2b7n4m1q9w3e5r8t0y6u" }),
    createdAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
    expiresAt: z.string().datetime().nullable().openapi({ example: "2027-11-22T00:00:00.000Z" }),
    revokedAt: z.string().datetime().nullable().openapi({ example: null }),
    lastUsedAt: z
      .string()
      .datetime()
      .nullable()
      .openapi({ description: "Updated at most once a minute", example: "2026-11-22T10:02:00.000Z" }),
    replacedBy: keyIdSchema.nullable().openapi({ description: "The successor, once rotated" }),
    rateLimit: z
      .object({ perSecond: z.number().int(), burst: z.number().int() })
      .nullable()
      .openapi({
        description: "The key's own request limit; null: the deployment default (API_KEY_RATE_LIMIT)",
        example: { perSecond: 20, burst: 40 },
      }),
    parentKeyId: keyIdSchema.nullable().openapi({ description: "The key that created this one over HTTP; null: made by the CLI or seed" }),
  })
  .openapi("ApiKey");

export const revokedKeySchema = keyInfoSchema
  .extend({
    revokedDescendants: z
      .number()
      .int()
      .openapi({ description: "Keys revoked with it by `?cascade=true` (keys it created, transitively); 0 without cascade", example: 0 }),
  })
  .openapi("RevokedApiKey");

export const createdKeySchema = keyInfoSchema
  .extend({ key: z.string().openapi({ description: "The full key. Shown once: store it now.", example: "bp_live_…" }) })
  .openapi("CreatedApiKey");

export const createKeyBodySchema = z
  .object({
    name: text().trim().min(1).max(200).openapi({ example: "billing-service" }),
    orgId: orgIdSchema.nullable().optional().openapi({
      description:
        "Org the key is bound to. Omit for the caller's own org (platform-wide for a platform-wide caller); null for platform-wide.",
    }),
    scopes: z.array(scopeSchema).min(1).max(MAX_SCOPES),
    expiresAt: text()
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "When the key stops working; omit for no expiry", example: "2027-11-22T00:00:00Z" }),
    environment: z.enum(keyEnvironments).default("live"),
    rateLimit: keyRateLimitSchema.nullable().optional().openapi({ description: "Omit or null: the deployment default" }),
  })
  .openapi("CreateApiKey");

export const updateKeyBodySchema = z
  .object({ rateLimit: keyRateLimitSchema.nullable().openapi({ description: "null: back to the deployment default" }) })
  .openapi("UpdateApiKey");

export const rotateKeyBodySchema = z
  .object({
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .default(24 * 3600)
      .openapi({ description: "How long the old key keeps working (default 24 h)", example: 3600 }),
  })
  .openapi("RotateApiKey");

export const rotatedKeySchema = z.object({ key: createdKeySchema, previous: keyInfoSchema }).openapi("RotatedApiKey");
export const keyListSchema = z
  .object({
    data: z.array(keyInfoSchema),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass back as `cursor` for the next (older) page; null on the last page", example: cursorExample }),
  })
  .openapi("ApiKeyList");
