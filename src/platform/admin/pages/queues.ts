import { html } from "hono/html";
import { auditSourceOf } from "../../audit/audit-source.ts";
import { AppError } from "../../http/errors.ts";
import { listDeadLetterPage, replayDeadLetters } from "../../jobs/dead-letters.ts";
import type { JobRegistry } from "../../jobs/job-registry.ts";
import { producerOf } from "../../jobs/producer-of.ts";
import { jobStates, readQueueMetrics } from "../../jobs/queue-metrics.ts";
import { isQueueName, queueNames } from "../../jobs/queues.ts";
import type { AdminContext, AdminRouter } from "../admin-env.ts";
import { asAppContext } from "../admin-guard.ts";
import { csrfField, renderAdminPage } from "../layout.ts";
import { doneUrl, field, noticeOf, pager, preview, when } from "../ui.ts";

const PAGE = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function queueParam(value: string | undefined) {
  if (value === undefined || value === "") return undefined;
  if (!isQueueName(value)) throw new AppError("validation_failed", `queue must be one of ${queueNames.join(", ")}`);
  return value;
}

const seconds = (value: number) => (value === 0 ? "—" : value < 120 ? `${value.toFixed(1)} s` : `${Math.round(value / 60)} min`);

/**
 * /admin/queues: depth by state and queue, throughput, oldest waiting job, and the dead-letter
 * queue with a preview of each payload and error, replayed one by one or a whole queue at once.
 * The numbers and listing are the jobs platform's own (src/platform/jobs), not pg-boss's dashboard:
 * see docs/admin.md for why.
 */
export function registerQueuePages(router: AdminRouter, registry: JobRegistry): void {
  router.get("/queues", async (c) => {
    const { db, config, jobs } = c.get("services");
    if (!jobs.enabled) {
      return renderAdminPage(c, {
        title: "Queues",
        section: "queues",
        body: html`<h1>Queues</h1><p class="notice error">Jobs are disabled on this server (JOBS_ENABLED=false): there is no queue to show.</p>`,
      });
    }
    const queue = queueParam(c.req.query("queue"));
    const [metrics, dead] = await Promise.all([
      readQueueMetrics(db),
      listDeadLetterPage(db, { secret: config.BACKPLANE_SECRET, queue, cursor: c.req.query("cursor"), limit: PAGE }),
    ]);
    return renderAdminPage(c, {
      title: "Queues",
      section: "queues",
      body: html`<h1>Queues</h1>
${noticeOf(c)}
<table>
  <thead><tr><th>Queue</th>${jobStates.map((state) => html`<th class="num">${state}</th>`)}<th class="num">Oldest waiting</th><th class="num">Done 1 min / 1 h</th><th class="num">Failed 1 min / 1 h</th><th class="num">Dead letters</th></tr></thead>
  <tbody>
  ${metrics.map(
    (m) => html`<tr>
    <td><strong>${m.queue}</strong> <span class="muted">priority ${m.priority}</span></td>
    ${jobStates.map((state) => html`<td class="num">${m.counts[state]}</td>`)}
    <td class="num">${seconds(m.oldestWaitingSeconds)}</td>
    <td class="num">${m.completed.lastMinute} / ${m.completed.lastHour}</td>
    <td class="num">${m.failed.lastMinute} / ${m.failed.lastHour}</td>
    <td class="num">${m.deadLetter > 0 ? html`<a href="/admin/queues?queue=${m.queue}">${m.deadLetter}</a>` : "0"}</td>
  </tr>`,
  )}
  </tbody>
</table>
<h2>Dead letters${queue ? html` of ${queue}` : ""}</h2>
<form method="get" action="/admin/queues" class="filters">
  <label>Queue <select name="queue"><option value="">all</option>${queueNames.map((name) => html`<option value="${name}"${name === queue ? html` selected` : ""}>${name}</option>`)}</select></label>
  <button type="submit" class="secondary">Filter</button>
</form>
${
  queue && dead.items.length > 0
    ? html`<form method="post" action="/admin/queues/dlq/replay" class="filters" data-confirm="Send every dead letter of ${queue} back to its queue?">
  ${csrfField(c)}<input type="hidden" name="queue" value="${queue}"><button type="submit" class="secondary">Replay all of ${queue}</button>
</form>`
    : ""
}
<table>
  <thead><tr><th>Dead-lettered</th><th>Job</th><th>Attempts</th><th>Payload (preview)</th><th>Last error (preview)</th><th></th></tr></thead>
  <tbody>
  ${
    dead.items.length === 0
      ? html`<tr><td colspan="6" class="muted">No dead letters${queue ? " in this queue" : ""}.</td></tr>`
      : dead.items.map(
          (item) => html`<tr>
    <td>${when(item.deadLetteredAt)}<br><code class="muted">${item.id}</code></td>
    <td><code>${item.job ?? "?"}</code><br><span class="muted">${item.queue ?? "?"}</span></td>
    <td class="num">${item.attempts}</td>
    <td><pre class="preview">${preview(item.payload)}</pre></td>
    <td><pre class="preview">${preview(item.lastError)}</pre></td>
    <td><form method="post" action="/admin/queues/dlq/${item.id}/replay" class="inline" data-confirm="Send this job back to its queue?">${csrfField(c)}<button type="submit">Replay</button></form></td>
  </tr>`,
        )
  }
  </tbody>
</table>
${pager("/admin/queues", { queue }, dead.nextCursor)}`,
    });
  });

  const replay = async (c: AdminContext, target: { id: string } | { queue: NonNullable<ReturnType<typeof queueParam>> }) => {
    const services = c.get("services");
    const result = await replayDeadLetters(
      { db: services.db, boss: await producerOf(services.jobs), registry, config: services.config, source: auditSourceOf(asAppContext(c)) },
      target,
    );
    c.get("log").info({ replayed: result.replayed }, "dead letters replayed in the admin console");
    const back: Record<string, string> = "queue" in target ? { queue: target.queue } : {};
    return c.redirect(
      doneUrl("/admin/queues", result.replayed > 0 ? "dlq-replayed" : "dlq-nothing", "id" in target ? target.id : undefined, back),
      303,
    );
  };

  router.post("/queues/dlq/:id/replay", (c) => {
    const id = c.req.param("id");
    if (!UUID.test(id)) throw new AppError("not_found", `No dead letter ${id}`);
    return replay(c, { id });
  });

  router.post("/queues/dlq/replay", async (c) => {
    const queue = queueParam(field(await c.req.parseBody({ all: true }), "queue"));
    if (!queue) throw new AppError("validation_failed", "Name the queue to replay");
    return replay(c, { queue });
  });
}
