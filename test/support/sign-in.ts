import { expect } from "vitest";
import { otpSealer } from "../../src/platform/identity/otp-code.ts";
import type { TestApp } from "./test-app.ts";

/** Same-origin headers a browser sends with a fetch from the app's own pages. */
export const sameOrigin = { origin: "http://localhost", "sec-fetch-site": "same-origin" } as const;

/**
 * The code of the newest sign-in mail queued for `email`, read from its job (the code travels
 * sealed; the test holds the secret). For tests that do not run a worker and an SMTP server.
 */
export async function queuedSignInCode(t: TestApp, email: string): Promise<string> {
  const rows = await t.services.db.query<{ data: { payload: { challengeId: string; sealedCode: string } } }>(
    "SELECT data FROM pgboss.job WHERE data->>'job' = 'platform.send-sign-in-code' AND data->'payload'->>'email' = $1 ORDER BY created_on DESC LIMIT 1",
    [email.toLowerCase()],
  );
  const payload = rows[0]?.data.payload;
  if (!payload) throw new Error(`no sign-in code queued for ${email}`);
  return otpSealer(t.config.BACKPLANE_SECRET).open(payload.challengeId, payload.sealedCode);
}

/** `bp_session=<token>` from a Set-Cookie header, ready for a Cookie header. */
export function sessionCookieFrom(headers: Headers): string {
  const cookie = headers.getSetCookie().find((line) => /^(__Host-)?bp_session=[^;]+/.test(line));
  if (!cookie) throw new Error("no session cookie was set");
  return cookie.split(";")[0] as string;
}

export interface SignedInUser {
  userId: string;
  email: string;
  /** For the Cookie header. */
  cookie: string;
  /** Cookie plus same-origin headers: what a browser on this site sends. */
  headers: Record<string, string>;
}

/** Signs `email` in through the real endpoints (request a code, verify it). */
export async function signInUser(t: TestApp, email: string): Promise<SignedInUser> {
  const requested = await t.call("POST", "/api/auth/otp/request", { body: { email } });
  expect(requested.status, requested.text).toBe(202);
  const code = await queuedSignInCode(t, email);
  const verified = await t.call("POST", "/api/auth/otp/verify", { body: { email, code } });
  expect(verified.status, verified.text).toBe(200);
  const cookie = sessionCookieFrom(verified.headers);
  return { userId: verified.body.user.id, email: verified.body.user.email, cookie, headers: { cookie, ...sameOrigin } };
}

/** Mobile sign-in: an access token and a refresh token. */
export async function signInMobile(t: TestApp, email: string): Promise<{ userId: string; accessToken: string; refreshToken: string }> {
  const requested = await t.call("POST", "/api/auth/otp/request", { body: { email } });
  expect(requested.status, requested.text).toBe(202);
  const code = await queuedSignInCode(t, email);
  const res = await t.call("POST", "/api/auth/token", { body: { email, code } });
  expect(res.status, res.text).toBe(200);
  return { userId: res.body.user.id, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}
