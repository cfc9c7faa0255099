import { z } from "@hono/zod-openapi";
import { userSchema } from "./users.ts";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(320)
  .pipe(z.email("must be an email address"))
  .openapi({ example: "ada@example.com" });

export const otpCodeSchema = z
  .string()
  .regex(/^[0-9]{6}$/, "must be the 6-digit code from the mail")
  .openapi({ example: "042917" });

export const otpRequestBodySchema = z.object({ email: emailSchema }).openapi("OtpRequest");
export const otpVerifyBodySchema = z.object({ email: emailSchema, code: otpCodeSchema }).openapi("OtpVerify");

export const otpRequestedSchema = z
  .object({
    ok: z.literal(true),
    message: z.string().openapi({ example: "If this address can receive mail, a sign-in code is on its way" }),
    expiresIn: z.number().int().openapi({ description: "Seconds the code will work once it arrives", example: 600 }),
  })
  .openapi("OtpRequested");

export const sessionUserSchema = z.object({ user: userSchema }).openapi("SignedIn");
export const currentSessionSchema = z
  .object({ user: userSchema.nullable().openapi({ description: "null when not signed in" }) })
  .openapi("CurrentSession");

export const tokenPairSchema = z
  .object({
    accessToken: z.string().openapi({
      description: "JWT for Authorization: Bearer; 15 minutes",
      example: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfM2s5eDJtN3E4eDFjM3Y1YjZuMHoiLCJleHAiOjE3OTQ0NzI1MDB9.c2lnbmF0dXJl",
    }),
    refreshToken: z.string().openapi({
      description: "Opaque; exchange it once at /api/auth/token/refresh",
      example: "rt_Qm9rT3pLc1B0UnlXaFh2Wm5BYkNkRWZHaElqS2xN",
    }),
    expiresIn: z.number().int().openapi({ description: "Seconds until the access token expires", example: 900 }),
    tokenType: z.literal("Bearer"),
  })
  .openapi("TokenPair");

export const signedInTokensSchema = tokenPairSchema.extend({ user: userSchema }).openapi("SignedInTokens");
export const refreshBodySchema = z
  .object({ refreshToken: z.string().min(1).max(200).openapi({ example: "rt_Qm9rT3pLc1B0UnlXaFh2Wm5BYkNkRWZHaElqS2xN" }) })
  .openapi("RefreshRequest");

export const logoutQuerySchema = z.object({
  all: z.enum(["true", "false"]).optional().openapi({ description: "true: end every session of the user, on every device" }),
});
export const loggedOutSchema = z
  .object({ ok: z.literal(true), endedSessions: z.number().int().openapi({ example: 1 }) })
  .openapi("LoggedOut");
