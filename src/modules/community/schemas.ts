import { z } from "@hono/zod-openapi";

/** Seed 003 §4: one JSON blob per user; 256 KB is far above a create-flow state. */
export const DRAFT_MAX_BYTES = 256 * 1024;

export const draftSchema = z
  .object({
    payload: z
      .unknown()
      .nullable()
      .openapi({ description: "The saved create-flow state (any JSON), or null when none is saved", type: "object" }),
    updatedAt: z.string().datetime().nullable(),
  })
  .openapi("Draft");

export const saveDraftBodySchema = z
  .object({
    payload: z
      .record(z.string(), z.unknown())
      .openapi({ description: `Create-flow state (a JSON object, at most ${DRAFT_MAX_BYTES} bytes)`, type: "object" }),
  })
  .openapi("SaveDraft");

export const ruleIdSchema = z.string().regex(/^rul_[0-9a-z]{1,64}$/);

export const ruleSummarySchema = z
  .object({
    id: ruleIdSchema.openapi({ example: "rul_5x8k2m7q8x1c3v5b6n0z" }),
    title: z.string(),
    summary: z.string().nullable(),
    createdAt: z.string().datetime(),
    updatedAt: z.string().datetime(),
  })
  .openapi("RuleSummary");

export const ruleListSchema = z
  .object({
    data: z.array(ruleSummarySchema),
    nextCursor: z.string().nullable().openapi({ description: "Pass as ?cursor= for the next page; null on the last page" }),
  })
  .openapi("RuleList");

export const listRulesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).optional(),
});

export const publishRuleBodySchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    summary: z.string().trim().max(1000).optional(),
    document: z.record(z.string(), z.unknown()).openapi({ description: "The rule document (JSON object)", type: "object" }),
  })
  .openapi("PublishRule");

export const publishedRuleSchema = ruleSummarySchema
  .extend({ document: z.record(z.string(), z.unknown()).openapi({ type: "object" }) })
  .openapi("PublishedRule");

export const templateSchema = z
  .object({
    slug: z.string(),
    title: z.string(),
    category: z.string(),
    description: z.string(),
    position: z.number().int(),
    document: z.record(z.string(), z.unknown()).openapi({ type: "object" }),
  })
  .openapi("RuleTemplate");

export const templateListSchema = z.object({ data: z.array(templateSchema) }).openapi("RuleTemplateList");

export const webVitalNames = ["CLS", "FCP", "INP", "LCP", "TTFB", "FID"] as const;

/** Next.js `reportWebVitals` (web-vitals' Metric), plus the page it was measured on. */
export const webVitalSchema = z
  .object({
    id: z.string().min(1).max(200),
    name: z.enum(webVitalNames),
    value: z.number().finite().min(0).max(1e7),
    rating: z.enum(["good", "needs-improvement", "poor"]).optional(),
    delta: z.number().finite().optional(),
    navigationType: z.string().max(50).optional(),
    page: z.string().min(1).max(2048).startsWith("/").optional(),
    pathname: z.string().min(1).max(2048).startsWith("/").optional(),
  })
  .refine((metric) => metric.page !== undefined || metric.pathname !== undefined, {
    message: "page (the path, e.g. /create) is required",
    path: ["page"],
  })
  .openapi("WebVital");

export const webVitalsBodySchema = z.union([webVitalSchema, z.array(webVitalSchema).min(1).max(50)]);

export const webVitalsQuerySchema = z.object({
  days: z.coerce.number().int().min(1).max(365).default(28).openapi({ description: "Window, in days back from now (CrUX uses 28)" }),
  page: z.string().min(1).max(2048).startsWith("/").optional(),
});

export const webVitalsSummarySchema = z
  .object({
    windowDays: z.number().int(),
    data: z.array(
      z.object({
        page: z.string(),
        name: z.enum(webVitalNames),
        p75: z.number(),
        samples: z.number().int(),
        rating: z.enum(["good", "needs-improvement", "poor"]).openapi({ description: "The p75 judged by the web.dev thresholds" }),
      }),
    ),
  })
  .openapi("WebVitalsSummary");
