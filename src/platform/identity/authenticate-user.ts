import type { Context } from "hono";
import type { Principal } from "../auth/principal.ts";
import type { AppEnv } from "../http/app-env.ts";
import { clientIpOf } from "../http/client-ip.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { looksLikeJwt, verifyAccessToken } from "./access-token.ts";
import { userForSupabase } from "./external-identities.ts";
import { clockOf } from "./identity-settings.ts";
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from "./session-cookie.ts";
import { findLiveSession, type LiveSession } from "./sessions.ts";
import { type SupabaseVerifier, supabaseVerifierFor } from "./supabase-token.ts";

export type UserAuthFailure = "missing" | "session_invalid" | "token_invalid";
export type UserAuth = { ok: true; principal: Principal; live: LiveSession } | { ok: false; reason: UserAuthFailure };

/** The bearer value when it is an access token (a JWT), not an API key. */
export function bearerAccessToken(c: Context<AppEnv>): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header("authorization") ?? "");
  return match?.[1] && looksLikeJwt(match[1]) ? match[1] : null;
}

function principalFor(live: LiveSession, via: "cookie" | "bearer"): Principal {
  return {
    kind: "user",
    id: live.user.id,
    orgId: null,
    scopes: [],
    user: { email: live.user.email, role: live.user.role, sessionId: live.session.id, via, orgIds: live.orgIds },
  };
}

/**
 * The signed-in user behind a request: `Authorization: Bearer <access token>` first, else the
 * session cookie. An access token is checked for signature and expiry without I/O, then its
 * session is looked up, so a revoked session stops its access tokens at once. An invalid cookie
 * is cleared; a cookie whose session slid forward is sent again with the new expiry.
 * A bearer token whose issuer is the configured Supabase Auth is verified against Supabase's key
 * (and only that key) instead; see supabase-token.ts.
 */
export async function authenticateUser(c: Context<AppEnv>): Promise<UserAuth> {
  const services = c.get("services");
  const now = clockOf(services);
  const bearer = bearerAccessToken(c);
  if (bearer !== null) {
    const supabase = supabaseVerifierFor(services.config);
    if (supabase?.claims(bearer)) return authenticateSupabase(c, supabase, bearer, now);
    const claims = await verifyAccessToken(services.config.BACKPLANE_SECRET, bearer, now);
    if (!claims) return { ok: false, reason: "token_invalid" };
    const live = await asService(services.db, "identity: access token session", (tx) =>
      findLiveSession(tx, { by: "id", value: claims.sessionId, now }),
    );
    if (live?.session.kind !== "token" || live.user.id !== claims.userId) return { ok: false, reason: "token_invalid" };
    return { ok: true, principal: principalFor(live, "bearer"), live };
  }
  const token = readSessionCookie(c);
  if (token === null) return { ok: false, reason: "missing" };
  const live = await asService(services.db, "identity: session cookie", (tx) => findLiveSession(tx, { by: "token", value: token, now }));
  if (live?.session.kind !== "cookie") {
    clearSessionCookie(c);
    return { ok: false, reason: "session_invalid" };
  }
  if (live.touched) writeSessionCookie(c, token, live.session.expiresAt, now);
  return { ok: true, principal: principalFor(live, "cookie"), live };
}

/**
 * `Authorization: Bearer <Supabase access token>`: verified (signature, algorithm, expiry, issuer,
 * audience), then mapped to the platform user linked to its subject. There is no Backplane
 * session: the token's own expiry bounds it, and Supabase's session id names it.
 */
async function authenticateSupabase(c: Context<AppEnv>, supabase: SupabaseVerifier, token: string, now: Date): Promise<UserAuth> {
  const services = c.get("services");
  const claims = await supabase.verify(token, now);
  if (!claims) return { ok: false, reason: "token_invalid" };
  const { user, orgIds } = await asService(services.db, "identity: supabase token", (tx) =>
    userForSupabase(tx, claims, {
      now,
      requestId: c.get("requestId"),
      clientIp: clientIpOf(c, services.config.TRUST_PROXY_HOPS),
      linkPrivileged: services.config.SUPABASE_LINK_PRIVILEGED_BY_EMAIL,
    }),
  );
  const sessionId = `supabase:${claims.sessionId ?? claims.subject}`;
  const live: LiveSession = {
    session: { id: sessionId, userId: user.id, kind: "token", expiresAt: claims.expiresAt },
    user,
    orgIds,
    touched: false,
  };
  return { ok: true, principal: principalFor(live, "bearer"), live };
}
