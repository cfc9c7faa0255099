import { html } from "hono/html";
import { auditSourceOf } from "../../audit/audit-source.ts";
import { createOrg } from "../../orgs/create-org.ts";
import { listOrgs, orgCursor } from "../../orgs/list-orgs.ts";
import { asService } from "../../tenancy/with-tenant.ts";
import type { AdminRouter } from "../admin-env.ts";
import { asAppContext } from "../admin-guard.ts";
import { csrfField, renderAdminPage } from "../layout.ts";
import { field, noticeOf, pager, when } from "../ui.ts";

const PAGE = 50;

/** /admin/orgs: every org in slug order (a page at a time, "jump to" a slug), and a form to create one. */
export function registerOrgPages(router: AdminRouter): void {
  router.get("/orgs", async (c) => {
    const { db, config } = c.get("services");
    const from = (c.req.query("from") ?? "").trim().toLowerCase().slice(0, 100);
    const cursor = c.req.query("cursor");
    const cursors = orgCursor(config.BACKPLANE_SECRET);
    const after = cursor ? cursors.decode(cursor, from) : null;
    const page = await asService(db, "admin: list orgs", (tx) => listOrgs(tx, { limit: PAGE, after, from }));
    return renderAdminPage(c, {
      title: "Orgs",
      section: "orgs",
      body: html`<h1>Orgs</h1>
${noticeOf(c)}
<section class="card">
  <h2>Create an org</h2>
  <form method="post" action="/admin/orgs" class="stack">
    ${csrfField(c)}
    <label>Name <input name="name" required maxlength="200"></label>
    <label>Slug (optional: made from the name) <input name="slug" maxlength="100" pattern="[a-z0-9]+(-[a-z0-9]+)*"></label>
    <button type="submit">Create org</button>
  </form>
</section>
<form method="get" action="/admin/orgs" class="filters">
  <label>Jump to slug <input name="from" value="${from}" maxlength="100"></label>
  <button type="submit" class="secondary">Go</button>
</form>
<table>
  <thead><tr><th>Slug</th><th>Name</th><th>Id</th><th>Created</th><th></th></tr></thead>
  <tbody>
  ${
    page.orgs.length === 0
      ? html`<tr><td colspan="5" class="muted">No orgs${from ? " from there on" : " yet"}.</td></tr>`
      : page.orgs.map(
          (org) => html`<tr>
    <td><code>${org.slug}</code></td>
    <td>${org.name}</td>
    <td><code>${org.id}</code></td>
    <td>${when(org.createdAt)}</td>
    <td><a href="/admin/keys?org=${org.id}">API keys</a> · <a href="/admin/audit?org=${org.id}">Audit</a> · <a href="/admin/webhooks?org=${org.id}">Webhooks</a></td>
  </tr>`,
        )
  }
  </tbody>
</table>
${pager("/admin/orgs", { from }, page.next ? cursors.encode(page.next, from) : null)}`,
    });
  });

  router.post("/orgs", async (c) => {
    const form = await c.req.parseBody({ all: true });
    const slug = field(form, "slug");
    const org = await asService(c.get("services").db, "admin: create org", (tx) =>
      createOrg(tx, { name: field(form, "name"), slug: slug || undefined, audit: auditSourceOf(asAppContext(c)) }),
    );
    c.get("log").info({ orgId: org.id }, "org created in the admin console");
    // Straight to its keys: an org is usually made to be given one.
    return c.redirect(`/admin/keys?org=${encodeURIComponent(org.id)}&done=org-created&id=${encodeURIComponent(org.id)}`, 303);
  });
}
