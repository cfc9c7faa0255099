import type { Sql } from "../db/database.ts";
import { newId } from "../ids.ts";
import type { Services } from "../module.ts";
import { generateOtpCode, otpDigester, otpSealer } from "./otp-code.ts";
import { signInCodeJob } from "./sign-in-code-job.ts";

/**
 * Starts a sign-in for `email` (already normalized): voids every earlier live code for it,
 * stores the new code as a keyed digest, and enqueues the mail in the same transaction. The
 * same work happens whether or not a user has this email, so the answer reveals nothing.
 */
export async function requestSignInCode(
  tx: Sql,
  services: Pick<Services, "config" | "jobs">,
  input: { email: string; now: Date },
): Promise<{ challengeId: string; expiresAt: Date }> {
  const { config } = services;
  await tx.query("UPDATE backplane.otp_challenges SET voided_at = $2 WHERE email = $1 AND consumed_at IS NULL AND voided_at IS NULL", [
    input.email,
    input.now,
  ]);
  const challengeId = newId("otp");
  const code = generateOtpCode();
  const expiresAt = new Date(input.now.getTime() + config.OTP_TTL_SECONDS * 1000);
  await tx.query("INSERT INTO backplane.otp_challenges (id, email, code_digest, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", [
    challengeId,
    input.email,
    otpDigester(config.BACKPLANE_SECRET)(challengeId, code),
    input.now,
    expiresAt,
  ]);
  await services.jobs.enqueue(
    signInCodeJob,
    { challengeId, email: input.email, sealedCode: otpSealer(config.BACKPLANE_SECRET).seal(challengeId, code) },
    { tx },
  );
  return { challengeId, expiresAt };
}
