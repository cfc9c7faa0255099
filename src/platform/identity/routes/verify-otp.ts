import type { AppRouter } from "../../http/app-env.ts";
import { clientIpOf } from "../../http/client-ip.ts";
import { defineRoute, errorResponse } from "../../http/define-route.ts";
import { clockOf } from "../identity-settings.ts";
import { otpVerifyBodySchema, sessionUserSchema } from "../schemas.ts";
import { readSessionCookie, writeSessionCookie } from "../session-cookie.ts";
import { signIn } from "../sign-in.ts";
import { otpVerifyLimit } from "../sign-in-limits.ts";

export const verifyOtpRoute = defineRoute({
  method: "post",
  path: "/api/auth/otp/verify",
  operationId: "verifySignInCode",
  security: [],
  tags: ["auth"],
  summary: "Sign in with the emailed code: creates the user on first sign-in and sets the session cookie",
  middleware: [otpVerifyLimit] as const,
  request: { body: { required: true, content: { "application/json": { schema: otpVerifyBodySchema } } } },
  responses: {
    429: errorResponse("Rate limited (RateLimit and Retry-After headers say how long)"),
    200: {
      description: "Signed in; Set-Cookie carries bp_session (__Host-bp_session over HTTPS)",
      content: { "application/json": { schema: sessionUserSchema } },
    },
    401: errorResponse("otp_invalid, otp_expired or otp_attempts_exceeded", "otp_invalid"),
  },
});

export function registerVerifyOtp(app: AppRouter): void {
  app.openapi(verifyOtpRoute, async (c) => {
    const { email, code } = c.req.valid("json");
    const services = c.get("services");
    const now = clockOf(services);
    const signedIn = await signIn(services.db, {
      secret: services.config.BACKPLANE_SECRET,
      email,
      code,
      now,
      kind: "cookie",
      previousCookieToken: readSessionCookie(c),
      client: {
        userAgent: c.req.header("user-agent") ?? null,
        clientIp: clientIpOf(c, services.config.TRUST_PROXY_HOPS),
        requestId: c.get("requestId"),
      },
    });
    writeSessionCookie(c, signedIn.session.token as string, signedIn.session.expiresAt, now);
    return c.json({ user: signedIn.user }, 200);
  });
}
