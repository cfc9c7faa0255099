import type { Sql } from "../../../platform/db/database.ts";
import { prepared } from "../../../platform/db/statement-names.ts";
import { AppError } from "../../../platform/http/errors.ts";

interface RunRow {
  seq: string;
  id: string;
  workflow_id: string;
  event_id: string | null;
  status: "queued" | "running" | "succeeded" | "failed";
  error: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

interface StepRunRow {
  run_id: string;
  step_index: number;
  name: string;
  type: string;
  status: "queued" | "running" | "waiting" | "succeeded" | "failed";
  attempts: number;
  output: unknown;
  error: string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const runColumns = "seq::text AS seq, id, workflow_id, event_id, status, error, created_at, started_at, finished_at";

function toRunInfo(run: RunRow, steps: StepRunRow[]) {
  return {
    id: run.id,
    workflowId: run.workflow_id,
    eventId: run.event_id,
    status: run.status,
    error: run.error,
    createdAt: iso(run.created_at) as string,
    startedAt: iso(run.started_at),
    finishedAt: iso(run.finished_at),
    steps: steps
      .filter((step) => step.run_id === run.id)
      .map((step) => ({
        index: step.step_index,
        name: step.name,
        type: step.type,
        status: step.status,
        attempts: step.attempts,
        output: (typeof step.output === "string" ? JSON.parse(step.output) : step.output) ?? null,
        error: step.error,
        startedAt: iso(step.started_at),
        finishedAt: iso(step.finished_at),
      })),
  };
}

// Prepared (statement-names.ts): fixed texts with only equality filters, so a generic plan serves
// every value. listRuns' page query is not: its optional `seq < $3` is an index condition only
// in a plan made for the value.
const stepsSql = prepared(`SELECT run_id, step_index, name, type, status, attempts, output, error, started_at, finished_at
         FROM workflows.step_runs WHERE org_id = $1 AND run_id = ANY($2) ORDER BY run_id, step_index`);
const runSql = prepared(`SELECT ${runColumns} FROM workflows.runs WHERE org_id = $1 AND id = $2`);
const workflowExistsSql = prepared("SELECT 1 FROM workflows.workflows WHERE org_id = $1 AND id = $2");

const stepsOf = (tx: Sql, orgId: string, runIds: string[]) =>
  runIds.length === 0 ? Promise.resolve([]) : tx.query<StepRunRow>(stepsSql, [orgId, runIds]);

export async function getRun(tx: Sql, orgId: string, id: string) {
  const [run] = await tx.query<RunRow>(runSql, [orgId, id]);
  if (!run) throw new AppError("not_found", `No run ${id}`);
  return toRunInfo(run, await stepsOf(tx, orgId, [id]));
}

/** A workflow's runs, newest first, paged on `seq`. */
export async function listRuns(tx: Sql, orgId: string, workflowId: string, page: { limit: number; afterSeq?: string }) {
  const [workflow] = await tx.query(workflowExistsSql, [orgId, workflowId]);
  if (!workflow) throw new AppError("not_found", `No workflow ${workflowId}`);
  const rows = await tx.query<RunRow>(
    `SELECT ${runColumns} FROM workflows.runs WHERE org_id = $1 AND workflow_id = $2 AND ($3::bigint IS NULL OR seq < $3)
     ORDER BY runs.seq DESC LIMIT $4`,
    [orgId, workflowId, page.afterSeq ?? null, page.limit + 1],
  );
  const runs = rows.slice(0, page.limit);
  const steps = await stepsOf(
    tx,
    orgId,
    runs.map((run) => run.id),
  );
  return { data: runs.map((run) => toRunInfo(run, steps)), nextSeq: rows.length > page.limit ? (runs.at(-1)?.seq ?? null) : null };
}

export interface RecentRunFilter {
  /** undefined: every org (the admin console, in a service transaction). */
  orgId?: string;
  workflowId?: string;
  status?: RunRow["status"];
}

/**
 * Runs newest first across workflows (and orgs, for the admin console), paged on `seq`, without
 * their steps: each row names its workflow. runs_org_seq_idx and runs_workflow_seq_idx serve the
 * filters.
 */
export async function listRecentRuns(tx: Sql, filter: RecentRunFilter, page: { limit: number; afterSeq?: string }) {
  const rows = await tx.query<RunRow & { org_id: string; workflow_name: string | null }>(
    `SELECT runs.seq::text AS seq, runs.id, runs.org_id, runs.workflow_id, w.name AS workflow_name, runs.event_id, runs.status, runs.error,
            runs.created_at, runs.started_at, runs.finished_at
     FROM workflows.runs LEFT JOIN workflows.workflows w ON w.id = runs.workflow_id
     WHERE ($1::text IS NULL OR runs.org_id = $1) AND ($2::text IS NULL OR runs.workflow_id = $2) AND ($3::text IS NULL OR runs.status = $3)
       AND ($4::bigint IS NULL OR runs.seq < $4)
     ORDER BY runs.seq DESC LIMIT $5`,
    [filter.orgId ?? null, filter.workflowId ?? null, filter.status ?? null, page.afterSeq ?? null, page.limit + 1],
  );
  const runs = rows.slice(0, page.limit);
  return {
    data: runs.map((run) => ({ ...toRunInfo(run, []), orgId: run.org_id, workflowName: run.workflow_name })),
    nextSeq: rows.length > page.limit ? (runs.at(-1)?.seq ?? null) : null,
  };
}

/** The org a run belongs to (service context: the admin console opens a run by id alone). */
export async function orgOfRun(tx: Sql, id: string): Promise<string | null> {
  const [row] = await tx.query<{ org_id: string }>("SELECT org_id FROM workflows.runs WHERE id = $1", [id]);
  return row?.org_id ?? null;
}
