import type { Cleanup } from "../../../platform/module.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { deleteOldLogs } from "../services/list-logs.ts";

/** Deletes workflow log rows older than LOG_RETENTION_DAYS (every org: service context), in the platform's daily cleanup. */
export const logRetentionCleanup: Cleanup = {
  name: "workflows.logs",
  run: async ({ db, now, config }) => ({
    logs: await asService(db, "cleanup: workflow logs", (tx) => deleteOldLogs(tx, config.LOG_RETENTION_DAYS, now)),
  }),
};
