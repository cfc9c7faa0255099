import type { AppRouter } from "../../../platform/http/app-env.ts";
import { defineRoute, documentRoute, errorResponse } from "../../../platform/http/define-route.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { rateLimit } from "../../../platform/ratelimit/rate-limit.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { webVitalSchema, webVitalsBodySchema, webVitalsQuerySchema, webVitalsSummarySchema } from "../schemas.ts";
import { recordWebVitals, summarizeWebVitals } from "../services/web-vitals.ts";

const perIp = rateLimit({ name: "web-vitals-ip", by: "ip", points: 300, duration: 60 });

export const recordWebVitalsRoute = defineRoute({
  method: "post",
  path: "/api/web-vitals",
  operationId: "recordWebVitals",
  security: [],
  tags: ["community"],
  summary: "Record web vitals from reportWebVitals (JSON, or the text/plain body navigator.sendBeacon sends)",
  middleware: [perIp] as const,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: webVitalSchema }, "text/plain": { schema: webVitalSchema } },
    },
  },
  responses: {
    204: { description: "Stored" },
    429: errorResponse("Rate limited per IP"),
  },
});

export const summarizeWebVitalsRoute = defineRoute({
  method: "get",
  path: "/api/web-vitals",
  operationId: "summarizeWebVitals",
  security: [],
  tags: ["community"],
  summary: "p75 per metric per page over a window (as the Chrome UX Report computes it)",
  middleware: [perIp] as const,
  request: { query: webVitalsQuerySchema },
  responses: {
    200: { description: "p75 by page and metric", content: { "application/json": { schema: webVitalsSummarySchema } } },
    429: errorResponse("Rate limited per IP"),
  },
});

/** The body as text, whatever the media type: sendBeacon posts a JSON string as text/plain. */
async function readMetrics(text: string) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "Request body is not valid JSON");
  }
  const result = webVitalsBodySchema.safeParse(parsed);
  if (!result.success) {
    const details = result.error.issues.map((issue) => ({ field: ["body", ...issue.path.map(String)].join("."), message: issue.message }));
    throw new AppError("validation_failed", `${details[0]?.field}: ${details[0]?.message}`, { details });
  }
  return Array.isArray(result.data) ? result.data : [result.data];
}

export function registerWebVitals(app: AppRouter): void {
  // Registered as a plain handler: the body is parsed from text for both media types.
  documentRoute(app, recordWebVitalsRoute);
  app.post(recordWebVitalsRoute.path, ...recordWebVitalsRoute.middleware, async (c) => {
    const metrics = await readMetrics(await c.req.text());
    await asService(c.get("services").db, "community: web vitals", (tx) => recordWebVitals(tx, metrics));
    return c.body(null, 204);
  });
  app.openapi(summarizeWebVitalsRoute, async (c) => {
    const { days, page } = c.req.valid("query");
    const data = await asService(c.get("services").db, "community: web vitals summary", (tx) => summarizeWebVitals(tx, { days, page }));
    return c.json({ windowDays: days, data } as never, 200);
  });
}
