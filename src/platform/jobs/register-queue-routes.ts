import type { AppRouter } from "../http/app-env.ts";
import type { BackplaneModule } from "../module.ts";
import { jobRegistry } from "./job-registry.ts";
import { registerGetPrometheusMetrics } from "./routes/get-prometheus-metrics.ts";
import { registerGetQueueMetrics } from "./routes/get-queue-metrics.ts";
import { registerListDeadLetters } from "./routes/list-dead-letters.ts";
import { registerReplayDeadLetters } from "./routes/replay-dead-letters.ts";

/** Queue metrics, the dead-letter queue and Prometheus /metrics (when jobs are enabled). */
export function registerQueueRoutes(app: AppRouter, modules: BackplaneModule[]): void {
  registerGetQueueMetrics(app);
  registerListDeadLetters(app);
  registerReplayDeadLetters(app, jobRegistry(modules));
  registerGetPrometheusMetrics(app);
}
