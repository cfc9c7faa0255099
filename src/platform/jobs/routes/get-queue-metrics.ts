import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { readQueueMetrics } from "../queue-metrics.ts";
import { queueGuard, requirePlatformKey } from "./queue-guard.ts";
import { queueMetricsSchema } from "./schemas.ts";

export const getQueueMetricsRoute = defineRoute({
  method: "get",
  path: "/api/v1/queue/metrics",
  operationId: "getQueueMetrics",
  tags: ["queue"],
  summary: "Per queue: jobs by state, oldest waiting job, completed and failed in the last minute and hour, dead-letter size",
  security: [{ ApiKey: [] }],
  middleware: [queueGuard("queue:read")] as const,
  responses: {
    200: { description: "Queue metrics", content: { "application/json": { schema: queueMetricsSchema } } },
    ...authErrorResponses,
  },
});

export function registerGetQueueMetrics(app: AppRouter): void {
  app.openapi(getQueueMetricsRoute, async (c) => {
    requirePlatformKey(c);
    return c.json({ queues: await readQueueMetrics(c.get("services").db) }, 200);
  });
}
