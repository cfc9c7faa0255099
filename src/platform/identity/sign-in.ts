import { recordAuditEvent } from "../audit/record-audit-event.ts";
import type { Database } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { signAccessToken } from "./access-token.ts";
import { ACCESS_TOKEN_SECONDS } from "./identity-settings.ts";
import { issueRefreshToken } from "./refresh-tokens.ts";
import { hashSessionToken } from "./session-token.ts";
import { type SessionClient, type StartedSession, startSession } from "./sessions.ts";
import type { User } from "./users.ts";
import { findOrCreateUser } from "./users.ts";
import { type CodeCheck, checkSignInCode } from "./verify-sign-in-code.ts";

const otpMessages: Record<Exclude<CodeCheck, { ok: true }>["code"], string> = {
  otp_invalid: "The code is not valid for this email",
  otp_expired: "The code has expired; request a new one",
  otp_attempts_exceeded: "Too many wrong codes; request a new one",
};

export interface SignInInput {
  secret: string;
  email: string;
  code: string;
  now: Date;
  kind: "cookie" | "token";
  /** The cookie the browser still had, if any: that session ends (the token rotates at login). */
  previousCookieToken?: string | null;
  client: SessionClient & { requestId: string | null };
}

export interface SignedIn {
  user: User;
  session: StartedSession;
  /** Kind `token` only. */
  tokens?: { accessToken: string; refreshToken: string; expiresIn: number };
}

/**
 * Email OTP sign-in: checks the code, creates the user on first sign-in, starts a session (a
 * new token every time) and records the audit events, in one service transaction: it runs
 * before anyone is signed in. A failed check commits its attempt count, then throws.
 */
export async function signIn(db: Database, input: SignInInput): Promise<SignedIn> {
  const outcome = await asService(db, "identity: sign in", async (tx) => {
    const check = await checkSignInCode(tx, input);
    if (!check.ok) return check;
    const { user, created } = await findOrCreateUser(tx, input.email);
    if (input.previousCookieToken) {
      await tx.query("DELETE FROM backplane.sessions WHERE token_hash = $1 AND user_id = $2", [
        hashSessionToken(input.previousCookieToken),
        user.id,
      ]);
    }
    const session = await startSession(tx, { userId: user.id, kind: input.kind, now: input.now, client: input.client });
    const source = { actor: { type: "user" as const, id: user.id }, requestId: input.client.requestId, clientIp: input.client.clientIp };
    if (created) await recordAuditEvent(tx, { ...source, orgId: null, action: "user.created", target: { type: "user", id: user.id } });
    await recordAuditEvent(tx, {
      ...source,
      orgId: null,
      action: "session.started",
      target: { type: "session", id: session.id },
      metadata: { kind: input.kind },
    });
    let tokens: SignedIn["tokens"];
    if (input.kind === "token") {
      const refreshToken = await issueRefreshToken(tx, {
        sessionId: session.id,
        userId: user.id,
        now: input.now,
        expiresAt: session.expiresAt,
      });
      const accessToken = await signAccessToken(input.secret, { userId: user.id, sessionId: session.id }, input.now);
      tokens = { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_SECONDS };
    }
    return { ok: true as const, user, session, tokens };
  });
  if (!outcome.ok) {
    throw new AppError(outcome.code, otpMessages[outcome.code], {
      details: outcome.attemptsRemaining === undefined ? undefined : { attemptsRemaining: outcome.attemptsRemaining },
    });
  }
  return { user: outcome.user, session: outcome.session, tokens: outcome.tokens };
}
