import { defineModule } from "../../platform/module.ts";
import { workflowRunsAdminPage } from "./admin/runs-page.ts";
import { logRetentionCleanup } from "./jobs/log-retention-cleanup.ts";
import { workflowJobs } from "./jobs/step-jobs.ts";
import { registerCreateWorkflow } from "./routes/create-workflow.ts";
import { registerGetWorkflow } from "./routes/get-workflow.ts";
import { registerListLogs } from "./routes/list-logs.ts";
import { registerListWorkflows } from "./routes/list-workflows.ts";
import { registerPostTrigger, TRIGGER_BODY_LIMIT, TRIGGER_PATH_PREFIX } from "./routes/post-trigger.ts";
import { registerRotateTriggerKey } from "./routes/rotate-trigger-key.ts";
import { registerRunRoutes } from "./routes/runs.ts";
import { registerUpdateWorkflow } from "./routes/update-workflow.ts";

const at = "timestamp with time zone";

/** Seed 001 (VisAPI): workflows started by webhook triggers, run step by step on the queue, with logs. */
export const workflowsModule = defineModule({
  name: "workflows",
  tables: [
    {
      name: "workflows.workflows",
      class: "org",
      columns: {
        id: "text",
        org_id: "text",
        name: "text",
        priority: "text",
        steps: "jsonb",
        disabled_at: at,
        created_at: at,
        updated_at: at,
      },
    },
    {
      name: "workflows.triggers",
      class: "org",
      columns: {
        id: "text",
        org_id: "text",
        workflow_id: "text",
        name: "text",
        digest: "text",
        prefix: "text",
        disabled_at: at,
        created_at: at,
      },
    },
    {
      name: "workflows.runs",
      class: "org",
      columns: {
        id: "text",
        org_id: "text",
        workflow_id: "text",
        event_id: "text",
        status: "text",
        steps: "jsonb",
        context: "jsonb",
        created_at: at,
      },
    },
    {
      name: "workflows.step_runs",
      class: "org",
      columns: { run_id: "text", step_index: "integer", org_id: "text", status: "text", attempts: "integer", output: "jsonb" },
    },
    {
      name: "workflows.logs",
      class: "org",
      columns: {
        id: "text",
        org_id: "text",
        level: "text",
        message: "text",
        metadata: "jsonb",
        workflow_id: "text",
        job_id: "text",
        pii_redacted: "boolean",
        created_at: at,
      },
    },
  ],
  scopes: [
    { name: "workflows:read", description: "List and read workflows and their runs" },
    {
      name: "workflows:create",
      description: "Create, change and disable workflows, rotate trigger keys, list and replay inbound webhook events",
    },
    { name: "logs:read", description: "Read workflow logs" },
  ],
  idPrefixes: { wf: "workflow", trig: "workflow trigger", run: "workflow run", log: "workflow log row" },
  jobs: workflowJobs,
  cleanups: [logRetentionCleanup],
  mediaTypes: { [TRIGGER_PATH_PREFIX]: ["application/x-www-form-urlencoded"] },
  bodyLimits: { [TRIGGER_PATH_PREFIX]: TRIGGER_BODY_LIMIT },
  secretPathPrefixes: [TRIGGER_PATH_PREFIX],
  adminPages: [workflowRunsAdminPage],
  registerRoutes(app) {
    registerPostTrigger(app);
    registerCreateWorkflow(app);
    registerListWorkflows(app);
    registerGetWorkflow(app);
    registerUpdateWorkflow(app);
    registerRotateTriggerKey(app);
    registerRunRoutes(app);
    registerListLogs(app);
  },
});
