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

/**
 * A session cookie named `name`, or `__Host-<name>` when Secure (the prefix pins it to this host,
 * Path=/ and Secure): HttpOnly, Path=/. The browser sign-in (`bp_session`, SameSite=Lax) and the
 * admin console (`bp_admin`, SameSite=Strict) both use it.
 */
export function hostCookie(name: string, sameSite: "Lax" | "Strict") {
  const secureName = `__Host-${name}`;
  return {
    /** The token the browser sent, under either name. */
    read(c: Context<AppEnv>): string | null {
      return getCookie(c, secureName) ?? getCookie(c, name) ?? null;
    },
    /** Sets it for `maxAgeSeconds`, Secure when the request is (`isSecureRequest`). */
    write(c: Context<AppEnv>, token: string, maxAgeSeconds: number): void {
      const secure = isSecureRequest(c);
      setCookie(c, secure ? secureName : name, token, { httpOnly: true, sameSite, path: "/", secure, maxAge: Math.max(0, maxAgeSeconds) });
    },
    /** Tells the browser to drop the cookie (whichever name it sent). */
    clear(c: Context<AppEnv>): void {
      const secure = isSecureRequest(c);
      if (getCookie(c, secureName) !== undefined || secure)
        deleteCookie(c, secureName, { path: "/", secure: true, httpOnly: true, sameSite });
      if (getCookie(c, name) !== undefined || !secure) deleteCookie(c, name, { path: "/", secure, httpOnly: true, sameSite });
    },
  };
}

const sessionCookie = hostCookie(SESSION_COOKIE, "Lax");

/** The session token the browser sent, under either name. */
export function readSessionCookie(c: Context<AppEnv>): string | null {
  return sessionCookie.read(c);
}

/**
 * `bp_session` (`__Host-bp_session` when Secure): HttpOnly, SameSite=Lax, Path=/, expiring with
 * the session's sliding expiry.
 */
export function writeSessionCookie(c: Context<AppEnv>, token: string, expiresAt: Date, now: Date): void {
  sessionCookie.write(c, token, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
}

/** Tells the browser to drop the cookie (whichever name it sent). */
export function clearSessionCookie(c: Context<AppEnv>): void {
  sessionCookie.clear(c);
}
