import { clientIpOf } from "../../../platform/http/client-ip.ts";
import { clockOf } from "../../../platform/identity/identity-settings.ts";
import { refreshTokens } from "../../../platform/identity/refresh-session.ts";
import { requestSignInCode } from "../../../platform/identity/request-sign-in-code.ts";
import {
  otpRequestBodySchema,
  otpRequestedSchema,
  otpVerifyBodySchema,
  refreshBodySchema,
  signedInTokensSchema,
  tokenPairSchema,
} from "../../../platform/identity/schemas.ts";
import { signIn } from "../../../platform/identity/sign-in.ts";
import { otpRequestLimits, otpVerifyLimits } from "../../../platform/identity/sign-in-limits.ts";
import { enforceRateLimits } from "../../../platform/ratelimit/rate-limit.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { publicProcedure, router, type TrainingContext } from "../trpc/trpc.ts";

/** Exchanges `{email, code}` for a mobile token pair: the platform's /api/auth/token, as a procedure. */
async function exchangeCode(ctx: TrainingContext, input: { email: string; code: string }) {
  await enforceRateLimits(ctx.http, otpVerifyLimits, { email: input.email });
  const { services, http } = ctx;
  const signedIn = await signIn(services.db, {
    secret: services.config.BACKPLANE_SECRET,
    email: input.email,
    code: input.code,
    now: clockOf(services),
    kind: "token",
    client: {
      userAgent: http.req.header("user-agent") ?? null,
      clientIp: clientIpOf(http, services.config.TRUST_PROXY_HOPS),
      requestId: ctx.requestId,
    },
  });
  const tokens = signedIn.tokens as NonNullable<typeof signedIn.tokens>;
  return { ...tokens, tokenType: "Bearer" as const, user: signedIn.user };
}

/**
 * Seed 004 §2.3.1 `auth`, on the platform's email sign-in (docs/identity.md): no passwords.
 * `requestCode` mails a 6-digit code; `register` and `login` both exchange it for tokens (the
 * account is created on its first sign-in, so they are one operation under two names); `refresh`
 * rotates the refresh token (a reused one revokes the session). Same limits as the REST routes.
 */
export const authRouter = router({
  requestCode: publicProcedure
    .input(otpRequestBodySchema)
    .output(otpRequestedSchema)
    .mutation(async ({ ctx, input }) => {
      await enforceRateLimits(ctx.http, otpRequestLimits, { email: input.email });
      const { services } = ctx;
      await asService(services.db, "identity: sign-in code request", (tx) =>
        requestSignInCode(tx, services, { email: input.email, now: clockOf(services) }),
      );
      return {
        ok: true as const,
        message: "If this address can receive mail, a sign-in code is on its way",
        expiresIn: services.config.OTP_TTL_SECONDS,
      };
    }),
  register: publicProcedure
    .input(otpVerifyBodySchema)
    .output(signedInTokensSchema)
    .mutation(({ ctx, input }) => exchangeCode(ctx, input)),
  login: publicProcedure
    .input(otpVerifyBodySchema)
    .output(signedInTokensSchema)
    .mutation(({ ctx, input }) => exchangeCode(ctx, input)),
  refresh: publicProcedure
    .input(refreshBodySchema)
    .output(tokenPairSchema)
    .mutation(async ({ ctx, input }) => {
      const pair = await refreshTokens(ctx.services, { refreshToken: input.refreshToken, requestId: ctx.requestId });
      return { ...pair, tokenType: "Bearer" as const };
    }),
});
