import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../http/app-env.ts";

export const SESSION_COOKIE = "bp_session";
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** Secure in production, or when the request came over HTTPS (directly, or per a trusted proxy). */
export function isSecureRequest(c: Context<AppEnv>): boolean {
  const { config } = c.get("services");
  if (config.NODE_ENV === "production") return true;
  if (new URL(c.req.url).protocol === "https:") return true;
  if (config.TRUST_PROXY_HOPS > 0) return c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https";
  return false;
}

/** The session token the browser sent, under either name. */
export function readSessionCookie(c: Context<AppEnv>): string | null {
  return getCookie(c, SECURE_SESSION_COOKIE) ?? getCookie(c, SESSION_COOKIE) ?? null;
}

/**
 * `bp_session` (`__Host-bp_session` when Secure: the prefix pins it to this host, Path=/ and
 * Secure): HttpOnly, SameSite=Lax, Path=/, expiring with the session's sliding expiry.
 */
export function writeSessionCookie(c: Context<AppEnv>, token: string, expiresAt: Date, now: Date): void {
  const secure = isSecureRequest(c);
  setCookie(c, secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure,
    maxAge: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
  });
}

/** Tells the browser to drop the cookie (whichever name it sent). */
export function clearSessionCookie(c: Context<AppEnv>): void {
  const secure = isSecureRequest(c);
  if (getCookie(c, SECURE_SESSION_COOKIE) !== undefined || secure) {
    deleteCookie(c, SECURE_SESSION_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Lax" });
  }
  if (getCookie(c, SESSION_COOKIE) !== undefined || !secure) {
    deleteCookie(c, SESSION_COOKIE, { path: "/", secure, httpOnly: true, sameSite: "Lax" });
  }
}
