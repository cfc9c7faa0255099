import { subkey } from "../auth/key-digest.ts";
import { ACCESS_TOKEN_SECONDS } from "./identity-settings.ts";
import { loadJose } from "./load-jose.ts";

const ISSUER = "backplane";
const AUDIENCE = "backplane:access";

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

function keyFor(secret: string) {
  return subkey(secret, "access-token");
}

/** A 15-minute HS256 JWT naming the user (`sub`) and the session (`sid`) it belongs to. */
export async function signAccessToken(secret: string, claims: AccessClaims, now: Date): Promise<string> {
  const { SignJWT } = await loadJose();
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ sid: claims.sessionId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ACCESS_TOKEN_SECONDS)
    .sign(keyFor(secret));
}

/** The claims of a valid, unexpired token signed by this deployment; null otherwise. */
export async function verifyAccessToken(secret: string, token: string, now: Date): Promise<AccessClaims | null> {
  const { errors, jwtVerify } = await loadJose();
  try {
    const { payload } = await jwtVerify(token, keyFor(secret), {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ["HS256"],
      currentDate: now,
      clockTolerance: 0,
    });
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string") return null;
    return { userId: payload.sub, sessionId: payload.sid };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/** Three base64url parts: what tells an access token apart from an API key in `Authorization: Bearer`. */
export function looksLikeJwt(value: string): boolean {
  return /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}
