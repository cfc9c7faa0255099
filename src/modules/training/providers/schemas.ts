import { z } from "@hono/zod-openapi";

export const providerSchema = z.enum(["strava", "garmin"]).openapi({ example: "strava" });

export const connectionSchema = z
  .object({
    provider: providerSchema,
    externalUserId: z.string().openapi({ description: "Strava athlete id or Garmin userId", example: "134815" }),
    status: z.enum(["active", "revoked"]),
    scope: z.string().nullable().openapi({ example: "read,activity:read_all" }),
    connectedAt: z.string().datetime().openapi({ example: "2026-03-10T06:31:02.000Z" }),
    accessTokenExpiresAt: z.string().datetime().nullable().openapi({
      description: "Strava: when the current access token expires (refreshed before); Garmin: null",
      example: "2026-03-10T12:31:02.000Z",
    }),
  })
  .openapi("ProviderConnection");

export const connectionListSchema = z.object({ data: z.array(connectionSchema) }).openapi("ProviderConnectionList");

export const expoPushTokenSchema = z
  .string()
  .regex(/^(Exponent|Expo)PushToken\[[A-Za-z0-9_-]{10,200}\]$/, "must be an Expo push token, ExponentPushToken[…]")
  .openapi({ example: "ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]" });
