import type { HealthCheck } from "../module.ts";
import { JOBS_QUEUE } from "./queues.ts";

/** The queue answers: its schema is installed and the work queue exists. */
export const queueHealthCheck: HealthCheck = async ({ jobs, db }) => {
  const rows = await db.query("SELECT 1 FROM pgboss.queue WHERE name = $1", [JOBS_QUEUE]);
  if (!jobs.enabled) throw new Error("jobs are disabled");
  if (rows.length === 0) throw new Error(`queue ${JOBS_QUEUE} is missing; run \`backplane migrate\``);
};
