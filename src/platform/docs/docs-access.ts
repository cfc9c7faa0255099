import { createHmac, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { subkey } from "../auth/key-digest.ts";
import { keyVerifierFor } from "../auth/key-verifier.ts";
import { readCredential } from "../auth/read-credential.ts";
import type { Config } from "../config/config.ts";
import type { AppEnv } from "../http/app-env.ts";
import { AppError } from "../http/errors.ts";
import { asService } from "../tenancy/with-tenant.ts";

export const DOCS_COOKIE = "bp_docs";
const SESSION_SECONDS = 3600;

/** On by default in production, off elsewhere; DOCS_REQUIRE_KEY decides when set. */
export const docsRequireKey = (config: Config) => config.DOCS_REQUIRE_KEY ?? config.NODE_ENV === "production";

const signer = (secret: string) => {
  const key = subkey(secret, "docs-session");
  return (payload: string) => createHmac("sha256", key).update(payload).digest("base64url");
};

/** `<keyId>.<expiry>.<mac>`: names the key that signed in (never the key itself), checked again on each use. */
export function docsSessionToken(secret: string, keyId: string, now = Date.now()): string {
  const payload = `${keyId}.${Math.floor(now / 1000) + SESSION_SECONDS}`;
  return `${payload}.${signer(secret)(payload)}`;
}

async function sessionIsValid(c: Context<AppEnv>, token: string): Promise<boolean> {
  const { config, db } = c.get("services");
  const [keyId, expiry, mac] = token.split(".");
  if (!keyId || !expiry || !mac || !/^key_[0-9a-z]+$/.test(keyId) || !/^\d{1,12}$/.test(expiry)) return false;
  const expected = Buffer.from(signer(config.BACKPLANE_SECRET)(`${keyId}.${expiry}`));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  if (Number(expiry) * 1000 < Date.now()) return false;
  // The key must still be live: revoking it ends its docs sessions too.
  const rows = await asService(db, "docs session check", (tx) =>
    tx.query("SELECT 1 FROM backplane.api_keys WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())", [
      keyId,
    ]),
  );
  return rows.length > 0;
}

async function hasAccess(c: Context<AppEnv>): Promise<boolean> {
  const presented = readCredential(c);
  if (presented !== null) return (await keyVerifierFor(c.get("services")).verify(presented)).ok;
  const cookie = getCookie(c, DOCS_COOKIE);
  return cookie !== undefined && (await sessionIsValid(c, cookie));
}

// The sign-in page: no scripts or styles at all; its form may post only here.
const signInPolicy = { "content-security-policy": "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'" };

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export function signInPage(message?: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Backplane API docs: sign in</title></head>
<body>
  <main>
    <h1>Backplane API docs</h1>
    <p>The API documentation needs an API key. It is exchanged for a short-lived cookie and never kept in the address bar.</p>
    ${message ? `<p role="alert"><strong>${escapeHtml(message)}</strong></p>` : ""}
    <form method="post" action="/api/docs/session">
      <label for="key">API key</label>
      <input id="key" name="key" type="password" autocomplete="off" required maxlength="200">
      <button type="submit">Sign in</button>
    </form>
  </main>
</body>
</html>`;
}

/** Guards the docs page (a sign-in form when not allowed) or the OpenAPI document (401). */
export function docsGuard(kind: "page" | "document"): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!docsRequireKey(c.get("services").config) || (await hasAccess(c))) return next();
    if (kind === "page") return c.html(signInPage(), 401, signInPolicy);
    throw new AppError("unauthorized", "The API documentation needs an API key (X-API-Key) or a docs session", {
      headers: { "WWW-Authenticate": 'Bearer realm="backplane"' },
    });
  };
}

/** POST /api/docs/session: a key from the form becomes a one-hour HttpOnly cookie; then back to the docs. */
export async function signIn(c: Context<AppEnv>): Promise<Response> {
  const services = c.get("services");
  const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const key = typeof form.key === "string" ? form.key.trim() : "";
  const result = key ? await keyVerifierFor(services).verify(key) : null;
  if (!result?.ok || result.principal.kind !== "api_key") return c.html(signInPage("That API key is not valid."), 401, signInPolicy);
  setCookie(c, DOCS_COOKIE, docsSessionToken(services.config.BACKPLANE_SECRET, result.principal.id), {
    httpOnly: true,
    sameSite: "Strict",
    path: "/api",
    maxAge: SESSION_SECONDS,
    secure: services.config.NODE_ENV === "production",
  });
  return c.redirect("/api/docs", 303);
}
