import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { clockOf } from "../../../platform/identity/identity-settings.ts";
import { lastRunOf } from "../jobs/analysis-state.ts";
import { insightListSchema, listInsightsQuerySchema, patternsSchema, performanceSchema, windowQuerySchema } from "../schemas/insights.ts";
import { listInsights } from "../services/insight-rows.ts";
import { readPatterns } from "../services/patterns.ts";
import { readPerformance } from "../services/performance.ts";
import { asCaller, signedInUser, userSecurity } from "./user-auth.ts";

export const listInsightsRoute = defineRoute({
  method: "get",
  path: "/api/insights",
  operationId: "listInsights",
  tags: ["insights"],
  summary: "What the analyses found about the signed-in user's work, newest first (keyset cursor)",
  security: userSecurity,
  middleware: [signedInUser] as const,
  request: { query: listInsightsQuerySchema },
  responses: {
    200: { description: "A page of insights", content: { "application/json": { schema: insightListSchema } } },
    ...authErrorResponses,
  },
});

export const getPatternsRoute = defineRoute({
  method: "get",
  path: "/api/insights/patterns",
  operationId: "getUsagePatterns",
  tags: ["insights"],
  summary: "Frequent sequences of event types within a session, usage by hour of day and weekday (UTC), and streaks",
  security: userSecurity,
  middleware: [signedInUser] as const,
  request: { query: windowQuerySchema },
  responses: {
    200: { description: "Usage patterns over the window", content: { "application/json": { schema: patternsSchema } } },
    ...authErrorResponses,
  },
});

export const getPerformanceRoute = defineRoute({
  method: "get",
  path: "/api/insights/performance",
  operationId: "getAppPerformance",
  tags: ["insights"],
  summary: "Per-app latency (mean, p50/p95/p99, max) and error rate from event properties",
  security: userSecurity,
  middleware: [signedInUser] as const,
  request: { query: windowQuerySchema },
  responses: {
    200: { description: "Per-app figures over the window", content: { "application/json": { schema: performanceSchema } } },
    ...authErrorResponses,
  },
});

export function registerInsightRoutes(app: AppRouter): void {
  app.openapi(listInsightsRoute, async (c) => {
    const query = c.req.valid("query");
    const secret = c.get("services").config.BACKPLANE_SECRET;
    const page = await asCaller(c, (tx, userId) => listInsights(tx, secret, { userId, ...query }));
    c.header("cache-control", "private, no-store");
    return c.json(page, 200);
  });
  app.openapi(getPatternsRoute, async (c) => {
    const { days } = c.req.valid("query");
    const now = clockOf(c.get("services"));
    const body = await asCaller(c, async (tx, userId) => ({
      ...(await readPatterns(tx, userId, { now, days })),
      analyzedAt: await lastRunOf(tx, userId, "patterns"),
    }));
    c.header("cache-control", "private, no-store");
    return c.json(body, 200);
  });
  app.openapi(getPerformanceRoute, async (c) => {
    const { days } = c.req.valid("query");
    const now = clockOf(c.get("services"));
    const body = await asCaller(c, async (tx, userId) => ({
      windowDays: days,
      analyzedAt: await lastRunOf(tx, userId, "performance"),
      apps: await readPerformance(tx, userId, { now, days }),
    }));
    c.header("cache-control", "private, no-store");
    return c.json(body, 200);
  });
}
