import { html } from "hono/html";
import { auditSourceOf } from "../../audit/audit-source.ts";
import { keyVerifierFor } from "../../auth/key-verifier.ts";
import { principalOf } from "../../auth/require-org.ts";
import type { Catalog } from "../../catalog.ts";
import type { Sql } from "../../db/database.ts";
import { AppError } from "../../http/errors.ts";
import { idPattern } from "../../ids.ts";
import { createKey } from "../../keys/create-key.ts";
import { grantorOf } from "../../keys/delegation.ts";
import { keyCursor, keyListBinding } from "../../keys/key-cursor.ts";
import type { CreatedKey, KeyInfo } from "../../keys/key-record.ts";
import { listKeys } from "../../keys/list-keys.ts";
import { revokeKey } from "../../keys/revoke-key.ts";
import { rotateKey } from "../../keys/rotate-key.ts";
import { findOrg } from "../../orgs/create-org.ts";
import { withCaller } from "../../tenancy/with-tenant.ts";
import type { AdminContext, AdminRouter } from "../admin-env.ts";
import { asAppContext } from "../admin-guard.ts";
import { csrfField, renderAdminPage } from "../layout.ts";
import { doneUrl, field, fields, noticeOf, pager, when } from "../ui.ts";

const PAGE = 50;
const overlaps = [
  ["0", "now (no overlap)"],
  ["3600", "in 1 hour"],
  ["86400", "in 24 hours"],
  ["604800", "in 7 days"],
] as const;

function statusOf(key: KeyInfo): { text: string; live: boolean } {
  if (key.revokedAt) return { text: "revoked", live: false };
  if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) return { text: "expired", live: false };
  if (key.replacedBy) return { text: "rotated", live: false };
  return { text: "active", live: true };
}

/** `?org=` names an org, or is absent for platform-wide keys; anything else is a 400. */
function orgParam(c: AdminContext): string | null {
  const org = c.req.query("org");
  if (org === undefined || org === "") return null;
  if (!idPattern("org").test(org)) throw new AppError("validation_failed", "org must be an org id (org_…)");
  return org;
}

const keysPath = (orgId: string | null) => (orgId ? `/admin/keys?org=${encodeURIComponent(orgId)}` : "/admin/keys");

/** The admin key acts as itself: a platform-wide principal, so the key services run in its service context. */
const asAdmin = <T>(c: AdminContext, fn: (tx: Sql) => Promise<T>) =>
  withCaller(c.get("services").db, principalOf(asAppContext(c)), null, fn);

/** /admin/keys: one org's keys (or the platform-wide ones), create (the secret shown once), revoke, rotate. */
export function registerKeyPages(router: AdminRouter, catalog: Catalog): void {
  router.get("/keys", async (c) => {
    const orgId = orgParam(c);
    const { config } = c.get("services");
    const cursors = keyCursor(config.BACKPLANE_SECRET);
    const binding = keyListBinding(orgId);
    const cursor = c.req.query("cursor");
    const after = cursor ? cursors.decode(cursor, binding) : null;
    const { org, page } = await asAdmin(c, async (tx) => {
      const found = orgId ? await findOrg(tx, orgId) : null;
      if (orgId && !found) throw new AppError("not_found", `No org ${orgId}`);
      return { org: found, page: await listKeys(tx, { orgId, limit: PAGE, after }) };
    });
    const heading = org ? html`API keys of ${org.name} <span class="muted">(<code>${org.slug}</code>)</span>` : "Platform-wide API keys";
    return renderAdminPage(c, {
      title: "API keys",
      section: "keys",
      body: html`<h1>${heading}</h1>
${noticeOf(c)}
<p class="muted">${org ? html`Keys bound to <code>${org.id}</code>. ` : "Keys bound to no org: they act on every org. "}Pick another org on the <a href="/admin/orgs">orgs page</a>${org ? html`, or see the <a href="/admin/keys">platform-wide keys</a>` : ""}.</p>
<table>
  <thead><tr><th>Name</th><th>Prefix</th><th>Scopes</th><th>Status</th><th>Created</th><th>Expires</th><th>Last used</th><th>Actions</th></tr></thead>
  <tbody>
  ${
    page.keys.length === 0
      ? html`<tr><td colspan="8" class="muted">No keys yet.</td></tr>`
      : page.keys.map((key) => {
          const status = statusOf(key);
          return html`<tr>
    <td>${key.name}<br><code class="muted">${key.id}</code></td>
    <td><code>${key.prefix}…</code></td>
    <td>${key.scopes.map((scope) => html`<code>${scope}</code> `)}</td>
    <td><span class="status ${status.live ? "ok" : "bad"}">${status.text}</span>${key.replacedBy ? html`<br><span class="muted">by <code>${key.replacedBy}</code></span>` : ""}</td>
    <td>${when(key.createdAt)}</td>
    <td>${when(key.expiresAt)}</td>
    <td>${when(key.lastUsedAt)}</td>
    <td>${
      status.live
        ? html`<form method="post" action="/admin/keys/${key.id}/rotate" class="inline" data-confirm="Rotate ${key.name}? A new key is issued; the old one stops at the time chosen.">
        ${csrfField(c)}
        <select name="overlapSeconds" aria-label="Old key stops">${overlaps.map(([value, label]) => html`<option value="${value}"${value === "86400" ? html` selected` : ""}>stops ${label}</option>`)}</select>
        <button type="submit" class="secondary">Rotate</button>
      </form>
      <form method="post" action="/admin/keys/${key.id}/revoke" class="inline" data-confirm="Revoke ${key.name} now? Requests with it fail from now on.">
        ${csrfField(c)}
        <label><input type="checkbox" name="cascade" value="true"> and the keys it made</label>
        <button type="submit" class="danger">Revoke</button>
      </form>`
        : ""
    }</td>
  </tr>`;
        })
  }
  </tbody>
</table>
${pager("/admin/keys", { org: orgId ?? undefined }, page.next ? cursors.encode(page.next, binding) : null)}
<section class="card">
  <h2>Create a key${org ? html` for ${org.name}` : " (platform-wide)"}</h2>
  <form method="post" action="/admin/keys" class="stack">
    ${csrfField(c)}
    <input type="hidden" name="org" value="${orgId ?? ""}">
    <label>Name <input name="name" required maxlength="200" placeholder="billing-service"></label>
    <fieldset><legend>Scopes</legend>
      ${catalog.scopes.map((scope) => html`<label><input type="checkbox" name="scope" value="${scope.name}"> <code>${scope.name}</code> <span class="muted">${scope.description}</span></label>`)}
    </fieldset>
    <label>Expires after (days; empty: never) <input name="expiresInDays" type="number" min="1" max="3650" inputmode="numeric"></label>
    <label>Environment <select name="environment"><option value="live">live (bp_live_…)</option><option value="test">test (bp_test_…)</option></select></label>
    <button type="submit">Create key</button>
  </form>
</section>`,
    });
  });

  router.post("/keys", async (c) => {
    const form = await c.req.parseBody({ all: true });
    const { config } = c.get("services");
    const org = field(form, "org");
    if (org && !idPattern("org").test(org)) throw new AppError("validation_failed", "org must be an org id (org_…)");
    const days = field(form, "expiresInDays");
    if (days && !/^[1-9][0-9]{0,3}$/.test(days))
      throw new AppError("validation_failed", "expiresInDays must be a whole number of days (1–3650)");
    const environment = field(form, "environment") || "live";
    if (environment !== "live" && environment !== "test") throw new AppError("validation_failed", "environment must be live or test");
    const principal = principalOf(asAppContext(c));
    const created = await asAdmin(c, (tx) =>
      createKey(tx, {
        secret: config.BACKPLANE_SECRET,
        name: field(form, "name"),
        orgId: org || null,
        scopes: fields(form, "scope"),
        knownScopes: catalog.scopeNames,
        expiresAt: days ? new Date(Date.now() + Number(days) * 86_400_000) : null,
        environment,
        createdBy: principal.id,
        grantor: grantorOf(principal),
        maxKeysPerOrg: config.KEYS_MAX_PER_ORG,
        audit: auditSourceOf(asAppContext(c)),
      }),
    );
    c.get("log").info({ createdKeyId: created.id, orgId: created.orgId, scopes: created.scopes }, "api key created in the admin console");
    return shownOnce(c, created, "Key created");
  });

  router.post("/keys/:id/revoke", async (c) => {
    const id = keyIdParam(c.req.param("id"));
    const cascade = field(await c.req.parseBody({ all: true }), "cascade") === "true";
    const revoked = await asAdmin(c, (tx) => revokeKey(tx, { id, withinOrg: null, cascade, audit: auditSourceOf(asAppContext(c)) }));
    const verifier = keyVerifierFor(c.get("services"));
    for (const revokedId of revoked.ids) verifier.forget(revokedId);
    c.get("log").info(
      { revokedKeyId: id, cascade, revokedDescendants: revoked.revokedDescendants },
      "api key revoked in the admin console",
    );
    return c.redirect(doneUrl("/admin/keys", "key-revoked", id, revoked.key.orgId ? { org: revoked.key.orgId } : {}), 303);
  });

  router.post("/keys/:id/rotate", async (c) => {
    const id = keyIdParam(c.req.param("id"));
    const overlap = field(await c.req.parseBody({ all: true }), "overlapSeconds");
    if (!overlaps.some(([value]) => value === overlap))
      throw new AppError("validation_failed", "overlapSeconds must be one of the choices offered");
    const services = c.get("services");
    const principal = principalOf(asAppContext(c));
    const rotated = await rotateKey(
      { transaction: (fn) => asAdmin(c, fn) },
      {
        secret: services.config.BACKPLANE_SECRET,
        id,
        withinOrg: null,
        overlapSeconds: Number(overlap),
        createdBy: principal.id,
        grantor: grantorOf(principal),
        maxKeysPerOrg: services.config.KEYS_MAX_PER_ORG,
        audit: auditSourceOf(asAppContext(c)),
      },
    );
    keyVerifierFor(services).forget(id);
    c.get("log").info({ rotatedKeyId: id, successorId: rotated.key.id }, "api key rotated in the admin console");
    return shownOnce(
      c,
      rotated.key,
      `Key rotated: ${rotated.previous.name} (${rotated.previous.id}) stops ${rotated.previous.expiresAt ?? "never"}`,
    );
  });
}

function keyIdParam(id: string): string {
  if (!idPattern("key").test(id)) throw new AppError("not_found", `No key ${id}`);
  return id;
}

/**
 * The one time a key's secret exists outside the caller's hands: answered to the POST itself
 * (never a redirect that would need to keep it), not cached (no-store), never logged.
 */
function shownOnce(c: AdminContext, key: CreatedKey, heading: string) {
  return renderAdminPage(c, {
    title: "New API key",
    section: "keys",
    body: html`<h1>${heading}</h1>
<section class="card">
  <p><strong>Copy the key now: this is the only time it is shown.</strong> Backplane keeps only a digest of it.</p>
  <code id="new-key" class="secret">${key.key}</code>
  <p><button type="button" data-copy="new-key" class="secondary">Copy</button></p>
  <table class="facts">
    <tbody>
      <tr><th>Id</th><td><code>${key.id}</code></td></tr>
      <tr><th>Name</th><td>${key.name}</td></tr>
      <tr><th>Org</th><td>${key.orgId ? html`<code>${key.orgId}</code>` : "platform-wide"}</td></tr>
      <tr><th>Scopes</th><td>${key.scopes.map((scope) => html`<code>${scope}</code> `)}</td></tr>
      <tr><th>Expires</th><td>${when(key.expiresAt)}</td></tr>
    </tbody>
  </table>
  <p><a href="${keysPath(key.orgId)}">Back to the keys</a></p>
</section>`,
  });
}
