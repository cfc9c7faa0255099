import { recordAuditEvent } from "../audit/record-audit-event.ts";
import { AppError } from "../http/errors.ts";
import type { Services } from "../module.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { signAccessToken } from "./access-token.ts";
import { ACCESS_TOKEN_SECONDS, clockOf } from "./identity-settings.ts";
import { rotateRefreshToken } from "./refresh-tokens.ts";

const messages = {
  unknown: "The refresh token is not recognized",
  expired: "The refresh token has expired; sign in again",
  revoked: "The session of this refresh token has ended; sign in again",
  reused: "This refresh token was already used: the session is revoked; sign in again",
} as const;

/** The service behind POST /api/auth/token/refresh (and seed 004's tRPC `auth.refresh`). */
export async function refreshTokens(
  services: Pick<Services, "db" | "config" | "clock">,
  input: { refreshToken: string; requestId: string | null },
): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
  const now = clockOf(services);
  const result = await asService(services.db, "identity: refresh token", async (tx) => {
    const rotated = await rotateRefreshToken(tx, { token: input.refreshToken, now });
    if (!rotated.ok && rotated.reason === "reused" && rotated.userId && rotated.sessionId) {
      await recordAuditEvent(tx, {
        actor: { type: "user", id: rotated.userId },
        requestId: input.requestId,
        clientIp: null,
        orgId: null,
        action: "session.revoked",
        target: { type: "session", id: rotated.sessionId },
        metadata: { reason: "refresh token reuse" },
      });
    }
    return rotated;
  });
  if (!result.ok) throw new AppError("unauthorized", messages[result.reason], { details: { reason: result.reason } });
  const accessToken = await signAccessToken(services.config.BACKPLANE_SECRET, { userId: result.userId, sessionId: result.sessionId }, now);
  return { accessToken, refreshToken: result.refreshToken, expiresIn: ACCESS_TOKEN_SECONDS };
}
