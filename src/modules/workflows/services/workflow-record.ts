import type { Step } from "../schemas.ts";

export interface TriggerRow {
  id: string;
  org_id: string;
  workflow_id: string;
  name: string;
  prefix: string;
  disabled_at: Date | string | null;
  created_at: Date | string;
  rotated_at: Date | string | null;
}

export interface WorkflowRow {
  id: string;
  org_id: string;
  name: string;
  priority: "critical" | "default" | "bulk";
  steps: Step[] | string;
  disabled_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const workflowColumns = "id, org_id, name, priority, steps, disabled_at, created_at, updated_at";
export const triggerColumns = "id, org_id, workflow_id, name, prefix, disabled_at, created_at, rotated_at";

const iso = (value: Date | string) => new Date(value).toISOString();

export const stepsOf = (row: Pick<WorkflowRow, "steps">): Step[] => (typeof row.steps === "string" ? JSON.parse(row.steps) : row.steps);

export function toTriggerInfo(row: TriggerRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    enabled: row.disabled_at === null,
    createdAt: iso(row.created_at),
    rotatedAt: row.rotated_at === null ? null : iso(row.rotated_at),
    url: "/api/v1/triggers/{key}",
  };
}

/** The API shape; a step's signing secret is never returned once stored. */
export function toWorkflowInfo(row: WorkflowRow, triggers: TriggerRow[]) {
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    priority: row.priority,
    enabled: row.disabled_at === null,
    steps: stepsOf(row).map((step) =>
      step.type === "http_request" && step.signingSecret ? { ...step, signingSecret: "whsec_[hidden]" } : { ...step },
    ) as Record<string, unknown>[],
    triggers: triggers.map(toTriggerInfo),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export type WorkflowInfo = ReturnType<typeof toWorkflowInfo>;
