import type { Sql } from "../db/database.ts";
import type { ErrorCode } from "../http/errors.ts";
import { OTP_MAX_ATTEMPTS } from "./identity-settings.ts";
import { otpDigester, sameDigest } from "./otp-code.ts";

export type CodeCheck =
  | { ok: true; challengeId: string }
  | { ok: false; code: Extract<ErrorCode, "otp_invalid" | "otp_expired" | "otp_attempts_exceeded">; attemptsRemaining?: number };

interface ChallengeRow {
  id: string;
  code_digest: string;
  attempts: number;
  expired: boolean;
  consumed: boolean;
  voided: boolean;
}

/**
 * Checks `code` against the newest code sent to `email` and consumes it when it matches. Locks
 * the row, so concurrent guesses are counted one by one. Returns rather than throws: a wrong
 * guess must commit its attempt count, so the caller commits and then answers the error.
 */
export async function checkSignInCode(tx: Sql, input: { secret: string; email: string; code: string; now: Date }): Promise<CodeCheck> {
  const rows = await tx.query<ChallengeRow>(
    `SELECT id, code_digest, attempts, expires_at <= $2 AS expired, consumed_at IS NOT NULL AS consumed, voided_at IS NOT NULL AS voided
     FROM backplane.otp_challenges WHERE email = $1 ORDER BY created_at DESC LIMIT 1 FOR UPDATE`,
    [input.email, input.now],
  );
  const challenge = rows[0];
  // No code, or one already used: the same answer as a wrong code, so nothing is learned.
  if (!challenge || challenge.consumed) return { ok: false, code: "otp_invalid" };
  if (challenge.attempts >= OTP_MAX_ATTEMPTS) return { ok: false, code: "otp_attempts_exceeded" };
  if (challenge.voided) return { ok: false, code: "otp_invalid" };
  if (challenge.expired) return { ok: false, code: "otp_expired" };

  const presented = otpDigester(input.secret)(challenge.id, input.code);
  if (!sameDigest(presented, challenge.code_digest)) {
    const attempts = challenge.attempts + 1;
    await tx.query(
      "UPDATE backplane.otp_challenges SET attempts = $2::int, voided_at = CASE WHEN $2::int >= $3::int THEN $4::timestamptz ELSE voided_at END WHERE id = $1",
      [challenge.id, attempts, OTP_MAX_ATTEMPTS, input.now],
    );
    if (attempts >= OTP_MAX_ATTEMPTS) return { ok: false, code: "otp_attempts_exceeded", attemptsRemaining: 0 };
    return { ok: false, code: "otp_invalid", attemptsRemaining: OTP_MAX_ATTEMPTS - attempts };
  }
  await tx.query("UPDATE backplane.otp_challenges SET consumed_at = $2 WHERE id = $1", [challenge.id, input.now]);
  return { ok: true, challengeId: challenge.id };
}
