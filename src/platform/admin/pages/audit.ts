import { html } from "hono/html";
import { type AuditFilter, listAuditEvents } from "../../audit/list-audit-events.ts";
import { actorTypes, auditQuerySchema } from "../../audit/routes/list-audit-events.ts";
import { AppError } from "../../http/errors.ts";
import { cursorCodec } from "../../http/keyset-cursor.ts";
import { asService } from "../../tenancy/with-tenant.ts";
import type { AdminRouter } from "../admin-env.ts";
import { renderAdminPage } from "../layout.ts";
import { pager, preview, when } from "../ui.ts";

const PAGE = 50;
const filterNames = ["org", "action", "actorType", "actorId", "targetType", "targetId", "from", "to"] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isPosition = (value: unknown): value is { seq: string } =>
  typeof value === "object" && value !== null && /^[1-9][0-9]{0,18}$/.test(String((value as { seq?: unknown }).seq));

/** A day from a date input as the instant it starts (UTC); `to` is inclusive, so it ends a day later. */
function dayBound(value: string | undefined, end: boolean): string | undefined {
  if (!value) return undefined;
  if (!DAY.test(value)) return value; // a full timestamp is validated as the API validates it
  const start = new Date(`${value}T00:00:00Z`);
  // Date rolls 2026-02-30 over into March: only a date that reads back the same is one.
  if (Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== value) {
    throw new AppError("validation_failed", `${value} is not a date`);
  }
  return new Date(start.getTime() + (end ? 86_400_000 : 0)).toISOString();
}

/**
 * /admin/audit: the audit log of every org, newest first, with the API's filters (action exact or
 * `key.*`, actor, target, org, days). Validated by the API route's own query schema.
 */
export function registerAuditPages(router: AdminRouter): void {
  router.get("/audit", async (c) => {
    const { db, config } = c.get("services");
    const raw = Object.fromEntries(filterNames.map((name) => [name, (c.req.query(name) ?? "").trim() || undefined]));
    const parsed = auditQuerySchema.safeParse({
      orgId: raw.org,
      action: raw.action,
      actorType: raw.actorType,
      actorId: raw.actorId,
      targetType: raw.targetType,
      targetId: raw.targetId,
      from: dayBound(raw.from, false),
      to: dayBound(raw.to, true),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError("validation_failed", `${issue?.path.join(".") ?? "filter"}: ${issue?.message ?? "invalid"}`);
    }
    const query = parsed.data;
    const filter: AuditFilter = {
      orgId: query.orgId,
      action: query.action,
      actorType: query.actorType,
      actorId: query.actorId,
      targetType: query.targetType,
      targetId: query.targetId,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
    const cursors = cursorCodec(config.BACKPLANE_SECRET, "admin.audit", isPosition);
    const binding = JSON.stringify(filterNames.map((name) => raw[name] ?? null));
    const cursor = c.req.query("cursor");
    const afterSeq = cursor ? cursors.decode(cursor, binding).seq : undefined;
    const page = await asService(db, "admin: audit log", (tx) => listAuditEvents(tx, filter, { limit: PAGE, afterSeq }));
    const input = (name: (typeof filterNames)[number], label: string, placeholder: string) =>
      html`<label>${label} <input name="${name}" value="${raw[name] ?? ""}" maxlength="255" placeholder="${placeholder}"></label>`;
    return renderAdminPage(c, {
      title: "Audit log",
      section: "audit",
      body: html`<h1>Audit log</h1>
<form method="get" action="/admin/audit" class="filters">
  ${input("org", "Org id", "org_…")}
  ${input("action", "Action", "key.* or key.created")}
  <label>Actor type <select name="actorType"><option value="">any</option>${actorTypes.map((type) => html`<option value="${type}"${type === raw.actorType ? html` selected` : ""}>${type}</option>`)}</select></label>
  ${input("actorId", "Actor id", "key_…")}
  ${input("targetType", "Target type", "api_key")}
  ${input("targetId", "Target id", "key_…")}
  <label>From (UTC day) <input type="date" name="from" value="${raw.from ?? ""}"></label>
  <label>To (UTC day, inclusive) <input type="date" name="to" value="${raw.to ?? ""}"></label>
  <button type="submit" class="secondary">Filter</button>
  <a href="/admin/audit">Clear</a>
</form>
<table>
  <thead><tr><th>When</th><th>Action</th><th>Actor</th><th>Target</th><th>Org</th><th>Details</th></tr></thead>
  <tbody>
  ${
    page.events.length === 0
      ? html`<tr><td colspan="6" class="muted">No audit events match.</td></tr>`
      : page.events.map(
          (event) => html`<tr>
    <td>${when(event.occurredAt)}</td>
    <td><a href="/admin/audit?action=${event.action}"><code>${event.action}</code></a></td>
    <td>${event.actor.type}<br><a href="/admin/audit?actorId=${event.actor.id}"><code>${event.actor.id}</code></a></td>
    <td>${event.target ? html`${event.target.type}<br>${event.target.id ? html`<a href="/admin/audit?targetId=${event.target.id}"><code>${event.target.id}</code></a>` : ""}` : "—"}</td>
    <td>${event.orgId ? html`<a href="/admin/audit?org=${event.orgId}"><code>${event.orgId}</code></a>` : html`<span class="muted">platform</span>`}</td>
    <td><pre class="preview">${preview(event.metadata)}</pre><span class="muted">${event.clientIp ?? ""} ${event.requestId ? html`request <code>${event.requestId}</code>` : ""}</span></td>
  </tr>`,
        )
  }
  </tbody>
</table>
${pager("/admin/audit", raw, page.nextSeq === null ? null : cursors.encode({ seq: page.nextSeq }, binding))}`,
    });
  });
}
