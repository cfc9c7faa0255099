import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { html } from "hono/html";
import { matchedRoutes } from "hono/route";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../http/app-env.ts";
import { isEndpoint } from "../http/endpoint-route.ts";
import { AppError, type ErrorEnvelope } from "../http/errors.ts";
import { handleError } from "../http/handle-error.ts";
import { enforceSameOrigin } from "../identity/csrf.ts";
import { hostCookie } from "../identity/session-cookie.ts";
import { asService } from "../tenancy/with-tenant.ts";
import type { AdminContext, AdminEnv } from "./admin-env.ts";
import { ADMIN_SESSION_SECONDS, findAdminSession, isCsrfTokenValid } from "./admin-sessions.ts";
import { renderBarePage } from "./layout.ts";

/**
 * `bp_admin` (`__Host-bp_admin` over HTTPS): HttpOnly, SameSite=Strict, Path=/, one hour. The
 * same cookie helper as the browser sign-in (src/platform/identity/session-cookie.ts).
 */
export const adminCookie = hostCookie("bp_admin", "Strict");
export const writeAdminCookie = (c: AdminContext, token: string) => adminCookie.write(c as never, token, ADMIN_SESSION_SECONDS);

const safeMethods = new Set(["GET", "HEAD"]);

/** The platform's checks take the platform's context; the console's adds two variables to it. */
export const asAppContext = (c: AdminContext) => c as unknown as Context<AppEnv>;

/**
 * Every console route but sign-in and the assets: a live session (else a redirect to sign-in for
 * a page, 401 for a form post). Every POST must then be same-origin (the identity module's check)
 * and carry the session's CSRF token in `_csrf` (403 otherwise). The session's key becomes the
 * request's principal, so the audit rows name it.
 */
export function requireAdminSession(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    // No console route matches (a typo, a trailing slash, a wrong method): the platform's 404 or
    // 405, as anywhere else, rather than a sign-in redirect for a page that does not exist.
    if (!matchedRoutes(c).some(isEndpoint)) return next();
    const { db, config } = c.get("services");
    const token = adminCookie.read(asAppContext(c));
    const session = token === null ? null : await asService(db, "admin session check", (tx) => findAdminSession(tx, token));
    if (!session) {
      if (token !== null) adminCookie.clear(asAppContext(c));
      if (safeMethods.has(c.req.method)) return c.redirect("/admin/sign-in", 303);
      throw new AppError("unauthorized", "Sign in to the admin console first: the session has ended or there is none");
    }
    c.set("admin", session);
    c.set("principal", { kind: "api_key", id: session.keyId, orgId: null, scopes: session.scopes });
    c.set("log", c.get("log").child({ principal: session.keyId, adminSession: session.id }));
    if (!safeMethods.has(c.req.method)) {
      enforceSameOrigin(asAppContext(c));
      const form = await c.req.parseBody({ all: true });
      if (!isCsrfTokenValid(config.BACKPLANE_SECRET, session.id, form._csrf)) {
        throw new AppError("forbidden", "The form's CSRF token is missing or wrong: reload the page and try again", {
          details: { reason: "csrf" },
        });
      }
    }
    await next();
  };
}

/**
 * Errors on console routes become an HTML page with the same status and message as the JSON
 * envelope, which the platform's one error handler still builds (and logs).
 */
export const adminErrorHandler: ErrorHandler<AdminEnv> = async (error, c) => {
  const answer = await handleError(error, asAppContext(c));
  const envelope = (await answer.json()) as ErrorEnvelope;
  const signedIn = c.get("admin") !== undefined;
  const body = html`<section class="card">
  <h1>${answer.status === 401 ? "Signed out" : "That did not work"}</h1>
  <p class="notice error" role="alert">${envelope.error.message}</p>
  <p class="muted">Error <code>${envelope.error.code}</code>, request <code>${envelope.error.requestId}</code>.</p>
  <p>${answer.status === 401 ? html`<a href="/admin/sign-in">Sign in</a>` : html`<a href="${signedIn ? "/admin" : "/admin/sign-in"}">Back to the console</a>`}</p>
</section>`;
  const retryAfter = answer.headers.get("retry-after");
  if (retryAfter) c.header("Retry-After", retryAfter);
  // Bare (no navigation): it may be shown before sign-in, or after the session ended.
  return renderBarePage(c, { title: envelope.error.code, body, status: answer.status as ContentfulStatusCode });
};
