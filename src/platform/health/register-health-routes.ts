import { z } from "@hono/zod-openapi";
import type { AppRouter } from "../http/app-env.ts";
import { defineRoute, errorResponse } from "../http/define-route.ts";
import { AppError } from "../http/errors.ts";
import type { HealthCheck } from "../module.ts";
import { runHealthChecks } from "./run-health-checks.ts";

const okSchema = z.object({ ok: z.literal(true) }).openapi("Ok");
// Name, up/down and latency only: the endpoint is unauthenticated, and error text names hosts
// and ports. The detail is logged under the request id.
const checkSchema = z.object({ ok: z.boolean(), status: z.enum(["up", "down"]), latencyMs: z.number() }).openapi("HealthCheck");
const healthzSchema = z
  .object({
    ok: z.literal(true),
    checks: z.record(z.string(), checkSchema).openapi({
      example: { database: { ok: true, status: "up", latencyMs: 1.4 }, queue: { ok: true, status: "up", latencyMs: 2.1 } },
    }),
  })
  .openapi("Healthz");

const health = defineRoute({
  method: "get",
  path: "/api/health",
  operationId: "getHealth",
  security: [],
  tags: ["health"],
  summary: "Process is up (does not touch the database)",
  responses: { 200: { description: "Up", content: { "application/json": { schema: okSchema } } } },
});

const livez = defineRoute({
  method: "get",
  path: "/api/v1/livez",
  operationId: "getLiveness",
  security: [],
  tags: ["health"],
  summary: "Liveness: 200 while the process runs",
  responses: { 200: { description: "Alive", content: { "application/json": { schema: okSchema } } } },
});

const healthz = defineRoute({
  method: "get",
  path: "/api/v1/healthz",
  operationId: "getReadiness",
  security: [],
  tags: ["health"],
  summary: "Readiness: status of each dependency (database, Redis when configured, queue when enabled)",
  responses: {
    200: { description: "Every dependency answers", content: { "application/json": { schema: healthzSchema } } },
    503: errorResponse("A dependency is down; `details.checks` names it", "service_unavailable"),
  },
});

export function registerHealthRoutes(app: AppRouter, extraChecks: Record<string, HealthCheck>): void {
  const checks: Record<string, HealthCheck> = { database: ({ db }) => db.ping(), ...extraChecks };

  app.openapi(health, (c) => c.json({ ok: true as const }, 200));
  app.openapi(livez, (c) => c.json({ ok: true as const }, 200));
  app.openapi(healthz, async (c) => {
    const results = await runHealthChecks(checks, c.get("services"), c.get("log"));
    const failing = Object.keys(results).filter((name) => !results[name]?.ok);
    if (failing.length > 0) {
      throw new AppError("service_unavailable", `Unavailable: ${failing.join(", ")}`, { details: { failing, checks: results } });
    }
    return c.json({ ok: true as const, checks: results }, 200);
  });
}
