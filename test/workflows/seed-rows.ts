import type { Sql } from "../../src/platform/db/database.ts";

/** One row in each workflows table and in the webhook inbox for `orgId` (as the connecting role), for the row-level security loop. */
export async function seedWorkflowRows(db: Sql, orgId: string): Promise<void> {
  const suffix = orgId.slice(4, 14);
  await db.query(
    "INSERT INTO workflows.workflows (id, org_id, name, priority, steps, created_by) VALUES ($1, $2, 'rls', 'default', '[]', 'test')",
    [`wf_rls${suffix}`, orgId],
  );
  await db.query("INSERT INTO workflows.triggers (id, org_id, workflow_id, name, digest, prefix) VALUES ($1, $2, $3, 'rls', $4, 'trg_x')", [
    `trig_rls${suffix}`,
    orgId,
    `wf_rls${suffix}`,
    suffix.padEnd(64, "0").replace(/[^0-9a-f]/g, "0"),
  ]);
  await db.query(
    "INSERT INTO backplane.webhook_events (id, org_id, source, content_type, body, job) VALUES ($1, $2, 'rls', 'application/json', '\\x7b7d', 'rls.job')",
    [`whe_rls${suffix}`, orgId],
  );
  await db.query(
    "INSERT INTO workflows.runs (id, org_id, workflow_id, event_id, status, steps, context) VALUES ($1, $2, $3, $4, 'queued', '[]', '{}')",
    [`run_rls${suffix}`, orgId, `wf_rls${suffix}`, `whe_rls${suffix}`],
  );
  await db.query(
    "INSERT INTO workflows.step_runs (run_id, step_index, org_id, name, type, status) VALUES ($1, 0, $2, 'a', 'log', 'queued')",
    [`run_rls${suffix}`, orgId],
  );
  await db.query("INSERT INTO workflows.logs (id, org_id, level, message) VALUES ($1, $2, 'info', 'rls')", [`log_rls${suffix}`, orgId]);
}
