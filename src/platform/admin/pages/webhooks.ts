import { html } from "hono/html";
import { auditSourceOf } from "../../audit/audit-source.ts";
import { principalOf } from "../../auth/require-org.ts";
import { AppError } from "../../http/errors.ts";
import { cursorCodec } from "../../http/keyset-cursor.ts";
import { idPattern } from "../../ids.ts";
import type { JobRegistry } from "../../jobs/job-registry.ts";
import { asService } from "../../tenancy/with-tenant.ts";
import { replayStoredWebhookEvent } from "../../webhooks/replay-stored-event.ts";
import { listWebhookEvents, type WebhookEventStatus } from "../../webhooks/webhook-events.ts";
import type { AdminRouter } from "../admin-env.ts";
import { asAppContext } from "../admin-guard.ts";
import { csrfField, renderAdminPage } from "../layout.ts";
import { doneUrl, noticeOf, pager, preview, when } from "../ui.ts";

const PAGE = 50;
const statuses = ["received", "processed", "failed"] as const satisfies readonly WebhookEventStatus[];
const isPosition = (value: unknown): value is { seq: string } =>
  typeof value === "object" && value !== null && /^[1-9][0-9]{0,18}$/.test(String((value as { seq?: unknown }).seq));

/** /admin/webhooks: the inbound webhook inbox of every org, newest first, filtered, with replay. */
export function registerWebhookPages(router: AdminRouter, registry: JobRegistry): void {
  router.get("/webhooks", async (c) => {
    const { db, config } = c.get("services");
    const org = c.req.query("org") || undefined;
    const status = c.req.query("status") || undefined;
    const source = (c.req.query("source") ?? "").trim() || undefined;
    if (org !== undefined && !idPattern("org").test(org)) throw new AppError("validation_failed", "org must be an org id (org_…)");
    if (status !== undefined && !(statuses as readonly string[]).includes(status))
      throw new AppError("validation_failed", `status must be one of ${statuses.join(", ")}`);
    if (source !== undefined && !/^[\x21-\x7e]{1,200}$/.test(source))
      throw new AppError("validation_failed", "source must be printable ASCII without spaces");
    const cursors = cursorCodec(config.BACKPLANE_SECRET, "admin.webhook-events", isPosition);
    const binding = JSON.stringify([org ?? null, status ?? null, source ?? null]);
    const cursor = c.req.query("cursor");
    const afterSeq = cursor ? cursors.decode(cursor, binding).seq : undefined;
    const page = await asService(db, "admin: webhook events", (tx) =>
      listWebhookEvents(tx, { orgId: org, status: status as WebhookEventStatus | undefined, source }, { limit: PAGE, afterSeq }),
    );
    return renderAdminPage(c, {
      title: "Webhook events",
      section: "webhooks",
      body: html`<h1>Webhook events</h1>
${noticeOf(c)}
<form method="get" action="/admin/webhooks" class="filters">
  <label>Org id <input name="org" value="${org ?? ""}" maxlength="80" placeholder="org_…"></label>
  <label>Status <select name="status"><option value="">any</option>${statuses.map((s) => html`<option value="${s}"${s === status ? html` selected` : ""}>${s}</option>`)}</select></label>
  <label>Source <input name="source" value="${source ?? ""}" maxlength="200" placeholder="garmin"></label>
  <button type="submit" class="secondary">Filter</button>
</form>
<table>
  <thead><tr><th>Received</th><th>Org</th><th>Source</th><th>Job</th><th>Status</th><th class="num">Replays</th><th>Body</th><th>Last error</th><th></th></tr></thead>
  <tbody>
  ${
    page.events.length === 0
      ? html`<tr><td colspan="9" class="muted">No events.</td></tr>`
      : page.events.map(
          (event) => html`<tr>
    <td>${when(event.receivedAt)}<br><code class="muted">${event.id}</code></td>
    <td>${event.orgId ? html`<a href="/admin/webhooks?org=${event.orgId}"><code>${event.orgId}</code></a>` : "—"}</td>
    <td>${event.source}${event.externalId ? html`<br><span class="muted">${event.externalId}</span>` : ""}</td>
    <td><code>${event.job}</code></td>
    <td><span class="status ${event.status === "failed" ? "bad" : event.status === "processed" ? "ok" : ""}">${event.status}</span>${event.processedAt ? html`<br>${when(event.processedAt)}` : ""}</td>
    <td class="num">${event.replays}</td>
    <td>${event.contentType}<br><span class="muted">${event.bodyBytes} bytes</span></td>
    <td><pre class="preview">${preview(event.lastError)}</pre></td>
    <td>${event.orgId ? html`<form method="post" action="/admin/webhooks/${event.id}/replay" class="inline" data-confirm="Process this event again?">${csrfField(c)}<button type="submit">Replay</button></form>` : ""}</td>
  </tr>`,
        )
  }
  </tbody>
</table>
${pager("/admin/webhooks", { org, status, source }, page.nextSeq === null ? null : cursors.encode({ seq: page.nextSeq }, binding))}`,
    });
  });

  router.post("/webhooks/:id/replay", async (c) => {
    const id = c.req.param("id");
    if (!idPattern("whe").test(id)) throw new AppError("not_found", `No webhook event ${id}`);
    const { db, jobs } = c.get("services");
    const result = await replayStoredWebhookEvent(
      { db, jobs, findJob: (name) => registry.get(name) },
      principalOf(asAppContext(c)),
      id,
      auditSourceOf(asAppContext(c)),
    );
    c.get("log").info({ eventId: id, jobId: result.jobId }, "webhook event replayed in the admin console");
    return c.redirect(doneUrl("/admin/webhooks", "webhook-replayed", id), 303);
  });
}
