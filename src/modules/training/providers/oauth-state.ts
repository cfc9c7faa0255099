import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { subkey } from "../../../platform/auth/key-digest.ts";

/** How long a connect link works: the user consents within it or starts again. */
export const OAUTH_STATE_SECONDS = 10 * 60;

/**
 * The OAuth `state`: the user who asked to connect, an expiry and a nonce, signed (HMAC under a
 * key derived from BACKPLANE_SECRET). The callback arrives from the vendor's page without our
 * credentials; the signed state is what names the user, and no one else can mint one for them.
 */
export function oauthStates(secret: string) {
  const key = subkey(secret, "training-oauth-state");
  const sign = (body: string) => createHmac("sha256", key).update(body).digest("base64url");
  return {
    issue(userId: string, provider: string, now: Date): string {
      const body = Buffer.from(
        JSON.stringify({
          u: userId,
          p: provider,
          e: Math.floor(now.getTime() / 1000) + OAUTH_STATE_SECONDS,
          n: randomBytes(9).toString("base64url"),
        }),
      ).toString("base64url");
      return `${body}.${sign(body)}`;
    },
    /** The user the state was issued to, or null when it is forged, altered, for another provider or expired. */
    verify(state: string, provider: string, now: Date): string | null {
      const [body, signature] = state.split(".");
      if (!body || !signature || state.length > 600) return null;
      const expected = Buffer.from(sign(body));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      try {
        const claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as { u?: unknown; p?: unknown; e?: unknown };
        if (typeof claims.u !== "string" || claims.p !== provider || typeof claims.e !== "number") return null;
        return claims.e * 1000 > now.getTime() ? claims.u : null;
      } catch {
        return null;
      }
    },
  };
}
