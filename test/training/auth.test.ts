import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queuedSignInCode } from "../support/sign-in.ts";
import { startTrainingApp, type TrainingHarness, trpcClient, trpcFailure } from "./support.ts";

// Seed 004 `auth` over tRPC, on the platform's email sign-in: request a code, exchange it for
// tokens (register and login), rotate the refresh token; with the platform's rate limits on.
let h: TrainingHarness;
beforeAll(async () => {
  h = await startTrainingApp({ RATE_LIMITS_ENABLED: "true" });
});
afterAll(async () => {
  await h?.close();
});

let counter = 0;
const freshEmail = () => `auth-${process.pid}-${++counter}-${Date.now().toString(36)}@Example.com`;

describe("tRPC auth", () => {
  it("register: code by mail, then {email, code} → access and refresh tokens that work on the other routers", async () => {
    const anonymous = trpcClient(h.url, null);
    const email = freshEmail();
    const requested = await anonymous.auth.requestCode.mutate({ email });
    expect(requested).toMatchObject({ ok: true, expiresIn: h.t.config.OTP_TTL_SECONDS });
    const code = await queuedSignInCode(h.t, email);
    const tokens = await anonymous.auth.register.mutate({ email, code });
    expect(tokens).toMatchObject({ tokenType: "Bearer", expiresIn: 900, user: { email: email.toLowerCase() } });
    expect(tokens.accessToken).toMatch(/^eyJ/);
    const profile = await trpcClient(h.url, tokens.accessToken).user.getProfile.query();
    expect(profile.id).toBe(tokens.user.id);
  });

  it("login exchanges a code as register does (one operation: the account exists from its first sign-in); a wrong code is 401 otp_invalid", async () => {
    const anonymous = trpcClient(h.url, null, { batch: false });
    const email = freshEmail();
    await anonymous.auth.requestCode.mutate({ email });
    const wrong = await trpcFailure(anonymous.auth.login.mutate({ email, code: "000000" }));
    expect(wrong.data?.httpStatus).toBe(401);
    expect(wrong.data?.platformCode).toBe("otp_invalid");
    expect(wrong.data?.details).toEqual({ attemptsRemaining: 2 });
    const tokens = await anonymous.auth.login.mutate({ email, code: await queuedSignInCode(h.t, email) });
    expect(tokens.user.email).toBe(email.toLowerCase());
    expect((await trpcClient(h.url, tokens.accessToken).user.getProfile.query()).email).toBe(email.toLowerCase());
  });

  it("refresh rotates the refresh token; presenting a used one is 401 and ends the session", async () => {
    const anonymous = trpcClient(h.url, null);
    const email = freshEmail();
    await anonymous.auth.requestCode.mutate({ email });
    const tokens = await anonymous.auth.login.mutate({ email, code: await queuedSignInCode(h.t, email) });
    const next = await anonymous.auth.refresh.mutate({ refreshToken: tokens.refreshToken });
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect((await trpcClient(h.url, next.accessToken).user.getProfile.query()).id).toBe(tokens.user.id);
    const reused = await trpcFailure(anonymous.auth.refresh.mutate({ refreshToken: tokens.refreshToken }));
    expect(reused.data?.httpStatus).toBe(401);
    expect(reused.data?.details).toEqual({ reason: "reused" });
    const revoked = await trpcFailure(trpcClient(h.url, next.accessToken).user.getProfile.query());
    expect(revoked.data?.platformCode).toBe("unauthorized");
  });

  it("the platform's sign-in limits apply, batched or not: a second code for one email within a minute is 429 with Retry-After", async () => {
    const email = freshEmail();
    await trpcClient(h.url, null).auth.requestCode.mutate({ email });
    const limited = await trpcFailure(trpcClient(h.url, null).auth.requestCode.mutate({ email: email.toUpperCase() }));
    expect(limited.data?.httpStatus).toBe(429);
    expect(limited.data?.code).toBe("TOO_MANY_REQUESTS");
    expect(limited.data?.platformCode).toBe("rate_limited");
    const raw = await fetch(`${h.url}/trpc/auth.requestCode`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email }),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
