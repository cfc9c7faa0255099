import type { AppRouter } from "../../http/app-env.ts";
import { defineRoute, errorResponse } from "../../http/define-route.ts";
import { asService } from "../../tenancy/with-tenant.ts";
import { clockOf } from "../identity-settings.ts";
import { requestSignInCode } from "../request-sign-in-code.ts";
import { otpRequestBodySchema, otpRequestedSchema } from "../schemas.ts";
import { otpRequestLimit } from "../sign-in-limits.ts";

export const requestOtpRoute = defineRoute({
  method: "post",
  path: "/api/auth/otp/request",
  operationId: "requestSignInCode",
  security: [],
  tags: ["auth"],
  summary: "Email a 6-digit sign-in code (the same answer whether or not the email has an account)",
  middleware: [otpRequestLimit] as const,
  request: { body: { required: true, content: { "application/json": { schema: otpRequestBodySchema } } } },
  responses: {
    429: errorResponse("Rate limited (RateLimit and Retry-After headers say how long)"),
    202: {
      description: "A code is on its way (if the address can receive mail)",
      content: { "application/json": { schema: otpRequestedSchema } },
    },
  },
});

export function registerRequestOtp(app: AppRouter): void {
  app.openapi(requestOtpRoute, async (c) => {
    const { email } = c.req.valid("json");
    const services = c.get("services");
    await asService(services.db, "identity: sign-in code request", (tx) =>
      requestSignInCode(tx, services, { email, now: clockOf(services) }),
    );
    return c.json(
      {
        ok: true as const,
        message: "If this address can receive mail, a sign-in code is on its way",
        expiresIn: services.config.OTP_TTL_SECONDS,
      },
      202,
    );
  });
}
