import { z } from "@hono/zod-openapi";
import type { Catalog } from "../../catalog.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { defineRoute, errorResponse } from "../../http/define-route.ts";
import { requireCronSecret } from "../cron-guard.ts";
import { cleanupTask, metricsTask } from "../platform-ticks.ts";
import { runTickOnce, type TickedTask } from "../run-tick.ts";

export const tickOutcomeSchema = z
  .object({
    job: z.string().openapi({ example: "platform.cleanup" }),
    tick: z
      .string()
      .datetime()
      .openapi({ description: "The scheduled tick this call belongs to (UTC)", example: "2025-03-01T02:00:00.000Z" }),
    ran: z
      .boolean()
      .openapi({ description: "false: the tick was already run, or is running, by the other trigger; nothing was done", example: true }),
    status: z.enum(["running", "done", "failed"]).openapi({ example: "done" }),
    triggeredBy: z.enum(["http", "worker"]).openapi({ description: "Which trigger ran (or is running) the tick", example: "http" }),
    result: z
      .record(z.string(), z.unknown())
      .nullable()
      .openapi({ example: { now: "2025-03-01T02:00:00.000Z", cleanups: { "platform.sessions": { sessions: 12 } } } }),
  })
  .openapi("CronTickOutcome");

const routeFor = (task: TickedTask, operationId: string, summary: string) =>
  defineRoute({
    method: "get",
    path: task.path,
    operationId,
    tags: ["cron"],
    summary,
    description: `Vercel Cron calls it at \`${task.cron}\` (UTC) with \`Authorization: Bearer $CRON_SECRET\`; the worker runs the same schedule. Either way a tick runs once.`,
    security: [{ CronSecret: [] }],
    middleware: [requireCronSecret()] as const,
    responses: {
      200: {
        description: "The tick's outcome (also when the other trigger had run it)",
        content: { "application/json": { schema: tickOutcomeSchema } },
      },
      401: errorResponse("Missing or wrong CRON_SECRET (or none configured)"),
    },
  });

export const cleanupCronRoute = routeFor(
  cleanupTask,
  "runCleanupCron",
  "Run the daily cleanup tick: every registered cleanup (retention) of the platform and the modules",
);
export const metricsCronRoute = routeFor(
  metricsTask,
  "runMetricsCollectCron",
  "Run the metrics collection tick: one snapshot (active users, queue depths, table sizes, module figures)",
);

export function registerCronRoutes(app: AppRouter, catalog: Catalog): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "CronSecret", { type: "http", scheme: "bearer", description: "CRON_SECRET" });
  for (const [route, task] of [
    [cleanupCronRoute, cleanupTask],
    [metricsCronRoute, metricsTask],
  ] as const) {
    app.openapi(route, async (c) => {
      const outcome = await runTickOnce(c.get("services"), catalog, task, "http");
      c.header("cache-control", "no-store");
      return c.json(outcome, 200);
    });
  }
}
