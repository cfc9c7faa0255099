import { z } from "zod";
import { defineJob } from "../jobs/define-job.ts";
import { sendMail } from "../mail/send-mail.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { otpSealer } from "./otp-code.ts";
import { signInCodeMail } from "./sign-in-code-mail.ts";

/**
 * Mails a sign-in code. The payload carries the code sealed (see otpSealer); a code that was
 * used, voided or expired before the job ran is not sent. Few retries: a late code is useless.
 */
export const signInCodeJob = defineJob({
  name: "platform.send-sign-in-code",
  queue: "critical",
  payload: z.object({ challengeId: z.string().regex(/^otp_[0-9a-z]+$/), email: z.email(), sealedCode: z.string().min(1).max(200) }),
  retry: { limit: 3, delaySeconds: 2, maxDelaySeconds: 30 },
  timeoutSeconds: 60,
  handler: async (payload, { services }) => {
    const live = await asService(services.db, "identity: send sign-in code", (tx) =>
      tx.query<{ expires_at: Date }>(
        "SELECT expires_at FROM backplane.otp_challenges WHERE id = $1 AND consumed_at IS NULL AND voided_at IS NULL AND expires_at > now()",
        [payload.challengeId],
      ),
    );
    if (!live[0]) {
      services.log.info({ challengeId: payload.challengeId }, "sign-in code no longer live; not sent");
      return;
    }
    const code = otpSealer(services.config.BACKPLANE_SECRET).open(payload.challengeId, payload.sealedCode);
    await sendMail(services, signInCodeMail({ to: payload.email, code, ttlSeconds: services.config.OTP_TTL_SECONDS }));
  },
});
