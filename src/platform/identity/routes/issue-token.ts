import type { AppRouter } from "../../http/app-env.ts";
import { clientIpOf } from "../../http/client-ip.ts";
import { defineRoute, errorResponse } from "../../http/define-route.ts";
import { clockOf } from "../identity-settings.ts";
import { otpVerifyBodySchema, signedInTokensSchema } from "../schemas.ts";
import { signIn } from "../sign-in.ts";
import { otpVerifyLimit } from "../sign-in-limits.ts";

export const issueTokenRoute = defineRoute({
  method: "post",
  path: "/api/auth/token",
  operationId: "issueTokens",
  security: [],
  tags: ["auth"],
  summary: "Mobile sign-in: exchange the emailed code for an access token and a refresh token",
  middleware: [otpVerifyLimit] as const,
  request: { body: { required: true, content: { "application/json": { schema: otpVerifyBodySchema } } } },
  responses: {
    429: errorResponse("Rate limited (RateLimit and Retry-After headers say how long)"),
    200: { description: "Signed in", content: { "application/json": { schema: signedInTokensSchema } } },
    401: errorResponse("otp_invalid, otp_expired or otp_attempts_exceeded", "otp_invalid"),
  },
});

export function registerIssueToken(app: AppRouter): void {
  app.openapi(issueTokenRoute, async (c) => {
    const { email, code } = c.req.valid("json");
    const services = c.get("services");
    const signedIn = await signIn(services.db, {
      secret: services.config.BACKPLANE_SECRET,
      email,
      code,
      now: clockOf(services),
      kind: "token",
      client: {
        userAgent: c.req.header("user-agent") ?? null,
        clientIp: clientIpOf(c, services.config.TRUST_PROXY_HOPS),
        requestId: c.get("requestId"),
      },
    });
    const tokens = signedIn.tokens as NonNullable<typeof signedIn.tokens>;
    c.header("cache-control", "no-store");
    return c.json({ ...tokens, tokenType: "Bearer" as const, user: signedIn.user }, 200);
  });
}
