import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "@hono/zod-openapi";
import type { Config } from "../../config/config.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { defineRoute, errorResponse } from "../../http/define-route.ts";
import { AppError } from "../../http/errors.ts";
import { prometheusQueueMetrics, readQueueMetrics } from "../queue-metrics.ts";

export const getPrometheusMetricsRoute = defineRoute({
  method: "get",
  path: "/metrics",
  operationId: "getPrometheusMetrics",
  // Open without METRICS_TOKEN outside production (the empty alternative); see checkScraper.
  security: [{ MetricsToken: [] }, {}],
  tags: ["observability"],
  summary: "Prometheus gauges (queue depths, oldest waiting job, throughput, dead letters); `Authorization: Bearer $METRICS_TOKEN`",
  responses: {
    200: {
      description: "Prometheus text exposition",
      content: {
        "text/plain": {
          schema: z.string().openapi({
            example: [
              "# HELP backplane_queue_jobs Jobs in the queue by state.",
              "# TYPE backplane_queue_jobs gauge",
              'backplane_queue_jobs{queue="critical",state="created"} 3',
              "# HELP backplane_queue_dead_letter_jobs Jobs waiting in the dead-letter queue.",
              "# TYPE backplane_queue_dead_letter_jobs gauge",
              'backplane_queue_dead_letter_jobs{queue="critical"} 0',
              "",
            ].join("\n"),
          }),
        },
      },
    },
    401: errorResponse("METRICS_TOKEN is set and the request does not carry it"),
  },
});

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Scrapers send a static bearer token (METRICS_TOKEN), compared in constant time. Without one,
 * /metrics is open outside production (local Prometheus, dev) and absent in production, so a
 * deployment never exposes it by accident.
 */
function checkScraper(config: Config, authorization: string | undefined): void {
  if (!config.METRICS_TOKEN) {
    if (config.NODE_ENV === "production") throw new AppError("not_found", "No route for GET /metrics (set METRICS_TOKEN to enable it)");
    return;
  }
  const presented = /^Bearer (.+)$/i.exec(authorization ?? "")?.[1] ?? "";
  if (!timingSafeEqual(digest(presented), digest(config.METRICS_TOKEN))) {
    throw new AppError("unauthorized", "Send Authorization: Bearer <METRICS_TOKEN>", {
      headers: { "WWW-Authenticate": 'Bearer realm="metrics"' },
    });
  }
}

export function registerGetPrometheusMetrics(app: AppRouter): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "MetricsToken", {
    type: "http",
    scheme: "bearer",
    description: "METRICS_TOKEN",
  });
  app.openapi(getPrometheusMetricsRoute, async (c) => {
    const { config, db } = c.get("services");
    checkScraper(config, c.req.header("authorization"));
    const body = prometheusQueueMetrics(await readQueueMetrics(db));
    return c.text(body, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}
