import type { Sql } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { newId } from "../../../platform/ids.ts";
import type { Step } from "../schemas.ts";
import { generateTriggerKey, triggerKeyDigester, triggerKeyPrefix } from "../trigger-key.ts";
import { type TriggerRow, toTriggerInfo, toWorkflowInfo, triggerColumns, type WorkflowRow, workflowColumns } from "./workflow-record.ts";

export interface CreateWorkflowInput {
  orgId: string;
  name: string;
  priority: "critical" | "default" | "bulk";
  triggers: { name: string }[];
  steps: Step[];
  createdBy: string;
}

async function insertTrigger(tx: Sql, secret: string, orgId: string, workflowId: string, name: string) {
  const key = generateTriggerKey();
  const [row] = await tx.query<TriggerRow>(
    `INSERT INTO workflows.triggers (id, org_id, workflow_id, name, digest, prefix, created_at) VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp())
     RETURNING ${triggerColumns}`,
    [newId("trig"), orgId, workflowId, name, triggerKeyDigester(secret)(key), triggerKeyPrefix(key)],
  );
  return { row: row as TriggerRow, key };
}

/** Creates a workflow and its triggers; each trigger's key is in this answer only. */
export async function createWorkflow(tx: Sql, secret: string, input: CreateWorkflowInput) {
  const [row] = await tx.query<WorkflowRow>(
    `INSERT INTO workflows.workflows (id, org_id, name, priority, steps, created_by) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING ${workflowColumns}`,
    [newId("wf"), input.orgId, input.name, input.priority, JSON.stringify(input.steps), input.createdBy],
  );
  const workflow = row as WorkflowRow;
  const triggers: { row: TriggerRow; key: string }[] = [];
  for (const trigger of input.triggers) triggers.push(await insertTrigger(tx, secret, input.orgId, workflow.id, trigger.name));
  const info = toWorkflowInfo(
    workflow,
    triggers.map((trigger) => trigger.row),
  );
  return { ...info, triggers: info.triggers.map((trigger, i) => ({ ...trigger, key: triggers[i]?.key as string })) };
}

export async function getWorkflow(tx: Sql, orgId: string, id: string) {
  const [row] = await tx.query<WorkflowRow>(`SELECT ${workflowColumns} FROM workflows.workflows WHERE org_id = $1 AND id = $2`, [
    orgId,
    id,
  ]);
  if (!row) throw new AppError("not_found", `No workflow ${id}`);
  const triggers = await tx.query<TriggerRow>(
    `SELECT ${triggerColumns} FROM workflows.triggers WHERE org_id = $1 AND workflow_id = $2 ORDER BY created_at, id`,
    [orgId, id],
  );
  return toWorkflowInfo(row, triggers);
}

/** Newest first, paged by (created_at, id). */
export async function listWorkflows(tx: Sql, orgId: string, page: { limit: number; after?: { at: string; id: string } }) {
  const rows = await tx.query<WorkflowRow & { created_at_text: string }>(
    `SELECT ${workflowColumns}, created_at::text AS created_at_text FROM workflows.workflows
     WHERE org_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::text))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [orgId, page.after?.at ?? null, page.after?.id ?? null, page.limit + 1],
  );
  const items = rows.slice(0, page.limit);
  const triggers = items.length
    ? await tx.query<TriggerRow>(
        `SELECT ${triggerColumns} FROM workflows.triggers WHERE org_id = $1 AND workflow_id = ANY($2) ORDER BY created_at, id`,
        [orgId, items.map((row) => row.id)],
      )
    : [];
  const last = items.at(-1);
  return {
    data: items.map((row) =>
      toWorkflowInfo(
        row,
        triggers.filter((trigger) => trigger.workflow_id === row.id),
      ),
    ),
    // The database's own text of the timestamp: exact to the microsecond, unlike a JS Date.
    next: rows.length > page.limit && last ? { at: last.created_at_text, id: last.id } : null,
  };
}

export interface UpdateWorkflowInput {
  name?: string;
  priority?: "critical" | "default" | "bulk";
  steps?: Step[];
  enabled?: boolean;
}

/** Changes what was sent; `enabled: false` disables it (its triggers answer 404), true re-enables. */
export async function updateWorkflow(tx: Sql, orgId: string, id: string, input: UpdateWorkflowInput) {
  const [row] = await tx.query<WorkflowRow>(
    `UPDATE workflows.workflows SET
       name = coalesce($3, name),
       priority = coalesce($4, priority),
       steps = coalesce($5::jsonb, steps),
       disabled_at = CASE WHEN $6::boolean IS NULL THEN disabled_at WHEN $6 THEN NULL ELSE coalesce(disabled_at, now()) END,
       updated_at = now()
     WHERE org_id = $1 AND id = $2 RETURNING id`,
    [orgId, id, input.name ?? null, input.priority ?? null, input.steps ? JSON.stringify(input.steps) : null, input.enabled ?? null],
  );
  if (!row) throw new AppError("not_found", `No workflow ${id}`);
  return getWorkflow(tx, orgId, id);
}

/** A new key for a trigger; the old one stops working at once. The new key is in this answer only. */
export async function rotateTriggerKey(tx: Sql, secret: string, orgId: string, workflowId: string, triggerId: string) {
  const key = generateTriggerKey();
  const [row] = await tx.query<TriggerRow>(
    `UPDATE workflows.triggers SET digest = $4, prefix = $5, rotated_at = now()
     WHERE org_id = $1 AND workflow_id = $2 AND id = $3 RETURNING ${triggerColumns}`,
    [orgId, workflowId, triggerId, triggerKeyDigester(secret)(key), triggerKeyPrefix(key)],
  );
  if (!row) throw new AppError("not_found", `No trigger ${triggerId} on workflow ${workflowId}`);
  return { ...toTriggerInfo(row), key };
}
