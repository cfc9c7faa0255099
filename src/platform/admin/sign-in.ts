import { html } from "hono/html";
import { auditSourceOf } from "../audit/audit-source.ts";
import { recordAuditEvent } from "../audit/record-audit-event.ts";
import { keyFailureLimitFor } from "../auth/key-failure-limit.ts";
import { keyVerifierFor } from "../auth/key-verifier.ts";
import { clientIpOf } from "../http/client-ip.ts";
import { enforceSameOrigin } from "../identity/csrf.ts";
import { asService } from "../tenancy/with-tenant.ts";
import { type AdminContext, type AdminRouter, adminOf } from "./admin-env.ts";
import { adminCookie, asAppContext, writeAdminCookie } from "./admin-guard.ts";
import { ADMIN_SCOPE, endAdminSession, startAdminSession } from "./admin-sessions.ts";
import { renderBarePage } from "./layout.ts";
import { field } from "./ui.ts";

function signInPage(c: AdminContext, message?: string, status: 200 | 401 | 403 = 200) {
  return renderBarePage(c, {
    title: "Sign in",
    status,
    body: html`<section class="card signin">
  <h1>Backplane admin</h1>
  <p>Sign in with an admin API key: a platform-wide key with the <code>${ADMIN_SCOPE}</code> scope
  (<code>backplane keys create --name admin --scopes ${ADMIN_SCOPE}</code>). It is exchanged for a
  one-hour session cookie and is not kept anywhere.</p>
  ${message ? html`<p class="notice error" role="alert">${message}</p>` : ""}
  <form method="post" action="/admin/sign-in" class="stack">
    <label for="key">Admin API key
      <input id="key" name="key" type="password" autocomplete="off" required maxlength="200" autofocus>
    </label>
    <button type="submit">Sign in</button>
  </form>
</section>`,
  });
}

/** GET/POST /admin/sign-in and POST /admin/sign-out (the latter behind the session guard). */
export function registerSignIn(router: AdminRouter): void {
  router.get("/sign-in", (c) => signInPage(c));

  router.post("/sign-in", async (c) => {
    // No session yet, so no CSRF token: the request must still come from this site (login CSRF).
    enforceSameOrigin(asAppContext(c));
    const services = c.get("services");
    const failures = keyFailureLimitFor(services.config);
    await failures.refuseIfSpent(asAppContext(c));
    const key = field(await c.req.parseBody({ all: true }), "key");
    const result = key ? await keyVerifierFor(services).verify(key) : null;
    if (!result?.ok) {
      await failures.record(asAppContext(c));
      return signInPage(c, "That API key is not valid (unknown, expired or revoked).", 401);
    }
    const principal = result.principal;
    const source = {
      actor: { type: "api_key" as const, id: principal.id },
      requestId: c.get("requestId"),
      clientIp: clientIpOf(asAppContext(c), services.config.TRUST_PROXY_HOPS),
    };
    if (principal.orgId !== null || !principal.scopes.includes(ADMIN_SCOPE)) {
      // A valid key that may not sign in is worth a trail: someone tried it on the console.
      await asService(services.db, "admin sign-in refused", (tx) =>
        recordAuditEvent(tx, {
          ...source,
          orgId: principal.orgId,
          action: "admin.sign_in_refused",
          target: { type: "api_key", id: principal.id },
          metadata: { reason: principal.orgId !== null ? "org-bound key" : `missing scope ${ADMIN_SCOPE}` },
        }),
      );
      return signInPage(c, `This key cannot sign in to the console: it needs the ${ADMIN_SCOPE} scope on a platform-wide key.`, 403);
    }
    const started = await asService(services.db, "admin sign-in", async (tx) => {
      const created = await startAdminSession(tx, {
        keyId: principal.id,
        scopes: principal.scopes,
        clientIp: source.clientIp,
        userAgent: c.req.header("user-agent") ?? null,
      });
      await recordAuditEvent(tx, {
        ...source,
        orgId: null,
        action: "admin.signed_in",
        target: { type: "admin_session", id: created.session.id },
        metadata: { expiresAt: created.session.expiresAt.toISOString() },
      });
      return created;
    });
    writeAdminCookie(c, started.token);
    c.get("log").info({ adminSession: started.session.id, principal: principal.id }, "admin signed in");
    return c.redirect("/admin", 303);
  });
}

/** Registered behind the guard: it takes the session and checks the CSRF token like any form. */
export function registerSignOut(router: AdminRouter): void {
  router.post("/sign-out", async (c) => {
    const session = adminOf(c);
    const services = c.get("services");
    await asService(services.db, "admin sign-out", async (tx) => {
      await endAdminSession(tx, session.id);
      await recordAuditEvent(tx, {
        ...auditSourceOf(asAppContext(c)),
        orgId: null,
        action: "admin.signed_out",
        target: { type: "admin_session", id: session.id },
      });
    });
    adminCookie.clear(asAppContext(c));
    return c.redirect("/admin/sign-in", 303);
  });
}
