import { html } from "hono/html";
import type { AdminPage } from "../../../platform/admin/admin-env.ts";
import { asAppContext } from "../../../platform/admin/admin-guard.ts";
import { renderAdminPage } from "../../../platform/admin/layout.ts";
import { pager, preview, when } from "../../../platform/admin/ui.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { cursorCodec } from "../../../platform/http/keyset-cursor.ts";
import { idPattern } from "../../../platform/ids.ts";
import { asService, tenantOf, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { listRunLogs } from "../services/list-logs.ts";
import { getRun, listRecentRuns, orgOfRun } from "../services/read-runs.ts";

const PAGE = 50;
const RUN_LOGS = 200;
const statuses = ["queued", "running", "succeeded", "failed"] as const;
type RunStatus = (typeof statuses)[number];
const isPosition = (value: unknown): value is { seq: string } =>
  typeof value === "object" && value !== null && /^[1-9][0-9]{0,18}$/.test(String((value as { seq?: unknown }).seq));
const badge = (status: string) =>
  html`<span class="status ${status === "failed" ? "bad" : status === "succeeded" ? "ok" : ""}">${status}</span>`;

function optionalId(value: string | undefined, prefix: string, name: string): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!idPattern(prefix).test(value)) throw new AppError("validation_failed", `${name} must be an id (${prefix}_…)`);
  return value;
}

/**
 * The workflows module's page in the admin console: every org's runs, newest first, and one run
 * with its steps (status, attempts, output, error) and its own log lines. Read-only.
 */
export const workflowRunsAdminPage: AdminPage = {
  path: "workflows",
  title: "Workflow runs",
  register(router) {
    router.get("/workflows", async (c) => {
      const { db, config } = c.get("services");
      const org = optionalId(c.req.query("org"), "org", "org");
      const workflow = optionalId(c.req.query("workflow"), "wf", "workflow");
      const status = c.req.query("status") || undefined;
      if (status !== undefined && !(statuses as readonly string[]).includes(status))
        throw new AppError("validation_failed", `status must be one of ${statuses.join(", ")}`);
      const cursors = cursorCodec(config.BACKPLANE_SECRET, "admin.workflow-runs", isPosition);
      const binding = JSON.stringify([org ?? null, workflow ?? null, status ?? null]);
      const cursor = c.req.query("cursor");
      const afterSeq = cursor ? cursors.decode(cursor, binding).seq : undefined;
      const page = await asService(db, "admin: workflow runs", (tx) =>
        listRecentRuns(tx, { orgId: org, workflowId: workflow, status: status as RunStatus | undefined }, { limit: PAGE, afterSeq }),
      );
      return renderAdminPage(c, {
        title: "Workflow runs",
        section: "workflows",
        body: html`<h1>Workflow runs</h1>
<form method="get" action="/admin/workflows" class="filters">
  <label>Org id <input name="org" value="${org ?? ""}" maxlength="80" placeholder="org_…"></label>
  <label>Workflow id <input name="workflow" value="${workflow ?? ""}" maxlength="80" placeholder="wf_…"></label>
  <label>Status <select name="status"><option value="">any</option>${statuses.map((s) => html`<option value="${s}"${s === status ? html` selected` : ""}>${s}</option>`)}</select></label>
  <button type="submit" class="secondary">Filter</button>
</form>
<table>
  <thead><tr><th>Run</th><th>Workflow</th><th>Org</th><th>Status</th><th>Created</th><th>Finished</th><th>Error</th></tr></thead>
  <tbody>
  ${
    page.data.length === 0
      ? html`<tr><td colspan="7" class="muted">No runs.</td></tr>`
      : page.data.map(
          (run) => html`<tr>
    <td><a href="/admin/workflows/runs/${run.id}"><code>${run.id}</code></a></td>
    <td>${run.workflowName ?? "—"}<br><a href="/admin/workflows?workflow=${run.workflowId}"><code class="muted">${run.workflowId}</code></a></td>
    <td><a href="/admin/workflows?org=${run.orgId}"><code>${run.orgId}</code></a></td>
    <td>${badge(run.status)}</td>
    <td>${when(run.createdAt)}</td>
    <td>${when(run.finishedAt)}</td>
    <td><pre class="preview">${preview(run.error)}</pre></td>
  </tr>`,
        )
  }
  </tbody>
</table>
${pager("/admin/workflows", { org, workflow, status }, page.nextSeq === null ? null : cursors.encode({ seq: page.nextSeq }, binding))}`,
      });
    });

    router.get("/workflows/runs/:id", async (c) => {
      const id = c.req.param("id");
      if (!idPattern("run").test(id)) throw new AppError("not_found", `No run ${id}`);
      const { db } = c.get("services");
      const orgId = await asService(db, "admin: run lookup", (tx) => orgOfRun(tx, id));
      if (!orgId) throw new AppError("not_found", `No run ${id}`);
      // In the run's own org, as the admin key: row-level security applies as for the API.
      const { run, logs } = await withTenant(db, tenantOf(principalOf(asAppContext(c)), orgId), async (tx) => ({
        run: await getRun(tx, orgId, id),
        logs: await listRunLogs(tx, orgId, id, RUN_LOGS),
      }));
      return renderAdminPage(c, {
        title: `Run ${run.id}`,
        section: "workflows",
        body: html`<h1>Run <code>${run.id}</code> ${badge(run.status)}</h1>
<p class="muted">Workflow <a href="/admin/workflows?workflow=${run.workflowId}"><code>${run.workflowId}</code></a> · org <a href="/admin/workflows?org=${orgId}"><code>${orgId}</code></a> · created ${when(run.createdAt)} · started ${when(run.startedAt)} · finished ${when(run.finishedAt)}${run.eventId ? html` · event <code>${run.eventId}</code>` : ""}</p>
${run.error ? html`<p class="notice error">${preview(run.error, 1000)}</p>` : ""}
<h2>Steps</h2>
<table>
  <thead><tr><th>#</th><th>Step</th><th>Status</th><th class="num">Attempts</th><th>Started</th><th>Finished</th><th>Output (preview)</th><th>Error</th></tr></thead>
  <tbody>
  ${run.steps.map(
    (step) => html`<tr>
    <td class="num">${step.index}</td>
    <td>${step.name}<br><span class="muted">${step.type}</span></td>
    <td>${badge(step.status)}</td>
    <td class="num">${step.attempts}</td>
    <td>${when(step.startedAt)}</td>
    <td>${when(step.finishedAt)}</td>
    <td><pre class="preview">${preview(step.output)}</pre></td>
    <td><pre class="preview">${preview(step.error)}</pre></td>
  </tr>`,
  )}
  </tbody>
</table>
<h2>Logs of this run</h2>
<table>
  <thead><tr><th>When</th><th>Level</th><th>Message</th><th>Metadata</th></tr></thead>
  <tbody>
  ${
    logs.length === 0
      ? html`<tr><td colspan="4" class="muted">No log lines name this run.</td></tr>`
      : logs.map(
          (log) => html`<tr>
    <td>${when(log.createdAt)}</td>
    <td><span class="status ${log.level === "error" || log.level === "warn" ? "bad" : ""}">${log.level}</span></td>
    <td>${preview(log.message, 1000)}${log.piiRedacted ? html` <span class="muted">(personal data redacted)</span>` : ""}</td>
    <td><pre class="preview">${preview(log.metadata)}</pre></td>
  </tr>`,
        )
  }
  </tbody>
</table>
${logs.length === RUN_LOGS ? html`<p class="muted">The first ${RUN_LOGS} lines; the rest are in <code>GET /api/v1/logs</code>.</p>` : ""}
<p><a href="/admin/workflows">All runs</a></p>`,
      });
    });
  },
};
