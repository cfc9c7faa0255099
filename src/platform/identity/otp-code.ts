import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { subkey } from "../auth/key-digest.ts";

/** Six digits from the CSPRNG (uniform: randomInt rejects biased draws). */
export function generateOtpCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/**
 * The stored form of a code: HMAC-SHA-256 under a key derived from BACKPLANE_SECRET, bound to
 * the challenge id. A million codes are trivially enumerable offline, so an unkeyed hash would
 * protect nothing if the table leaked; keyed, the table alone is useless.
 */
export function otpDigester(secret: string): (challengeId: string, code: string) => string {
  const key = subkey(secret, "otp-digest");
  return (challengeId, code) => createHmac("sha256", key).update(`${challengeId}:${code}`).digest("hex");
}

export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * The code travels to the mail job sealed (AES-256-GCM, key from BACKPLANE_SECRET, bound to the
 * challenge id), so the job row never holds it in the clear either.
 */
export function otpSealer(secret: string) {
  const key = subkey(secret, "otp-seal").export();
  return {
    seal(challengeId: string, code: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(challengeId));
      const sealed = Buffer.concat([cipher.update(code, "utf8"), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url");
    },
    open(challengeId: string, sealed: string): string {
      const raw = Buffer.from(sealed, "base64url");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(challengeId));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    },
  };
}
