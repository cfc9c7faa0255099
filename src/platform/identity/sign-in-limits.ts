import { type RateLimitOptions, rateLimit } from "../ratelimit/rate-limit.ts";

/** Seed 003 §5/§10: codes are cheap to ask for and to guess, so both are limited per email and per IP. */
export const otpRequestLimits: RateLimitOptions[] = [
  { name: "otp-request-ip", by: "ip", points: 30, duration: 3600 },
  { name: "otp-request-email-minute", by: "email", points: 1, duration: 60 },
  { name: "otp-request-email-hour", by: "email", points: 5, duration: 3600 },
];
export const otpRequestLimit = rateLimit(...otpRequestLimits);

/** Shared by the cookie and the token sign-in (and seed 004's tRPC auth): 10 tries per email per 15 minutes. */
export const otpVerifyLimits: RateLimitOptions[] = [{ name: "otp-verify-email", by: "email", points: 10, duration: 900 }];
export const otpVerifyLimit = rateLimit(...otpVerifyLimits);
