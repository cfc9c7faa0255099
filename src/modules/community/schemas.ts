import { z } from "@hono/zod-openapi";

/** Seed 003 §4: one JSON blob per user; 256 KB is far above a create-flow state. */
export const DRAFT_MAX_BYTES = 256 * 1024;

/** A rule document as the curated templates write them (the OpenAPI examples' value). */
const ruleDocumentExample = {
  version: 1,
  summary: "Decisions pass when no member blocks them.",
  sections: [{ title: "Decisions", body: "A proposal passes when every member present consents." }],
};

export const draftSchema = z
  .object({
    payload: z
      .unknown()
      .nullable()
      .openapi({
        description: "The saved create-flow state (any JSON), or null when none is saved",
        type: "object",
        example: { step: 2, name: "Riverside allotment group", template: "consensus" },
      }),
    updatedAt: z.string().datetime().nullable().openapi({ example: "2026-11-22T09:15:00.000Z" }),
  })
  .openapi("Draft");

export const saveDraftBodySchema = z
  .object({
    payload: z.record(z.string(), z.unknown()).openapi({
      description: `Create-flow state (a JSON object, at most ${DRAFT_MAX_BYTES} bytes)`,
      type: "object",
      example: { step: 2, name: "Riverside allotment group", template: "consensus" },
    }),
  })
  .openapi("SaveDraft");

export const ruleIdSchema = z.string().regex(/^rul_[0-9a-z]{1,64}$/);

export const ruleSummarySchema = z
  .object({
    id: ruleIdSchema.openapi({ example: "rul_5x8k2m7q8x1c3v5b6n0z" }),
    title: z.string().openapi({ example: "Consensus" }),
    summary: z.string().nullable().openapi({ example: "Decisions pass when no member blocks them" }),
    createdAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
    updatedAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
  })
  .openapi("RuleSummary");

export const ruleListSchema = z
  .object({
    data: z.array(ruleSummarySchema),
    nextCursor: z.string().nullable().openapi({
      description: "Pass as ?cursor= for the next page; null on the last page",
      example: "eyJpZCI6InJ1bF81eDhrIn0.c2lnbmF0dXJl",
    }),
  })
  .openapi("RuleList");

export const listRulesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  cursor: z.string().min(1).max(512).optional().openapi({ example: "eyJpZCI6InJ1bF81eDhrIn0.c2lnbmF0dXJl" }),
});

export const publishRuleBodySchema = z
  .object({
    title: z.string().trim().min(1).max(200).openapi({ example: "Consensus" }),
    summary: z.string().trim().max(1000).optional().openapi({ example: "Decisions pass when no member blocks them" }),
    document: z
      .record(z.string(), z.unknown())
      .openapi({ description: "The rule document (JSON object)", type: "object", example: ruleDocumentExample }),
  })
  .openapi("PublishRule");

export const publishedRuleSchema = ruleSummarySchema
  .extend({ document: z.record(z.string(), z.unknown()).openapi({ type: "object", example: ruleDocumentExample }) })
  .openapi("PublishedRule");

export const templateSchema = z
  .object({
    slug: z.string().openapi({ example: "consensus" }),
    title: z.string().openapi({ example: "Consensus" }),
    category: z.string().openapi({ example: "Decision-making" }),
    description: z.string().openapi({ example: "Decisions are made together: a proposal passes only when no member blocks it." }),
    position: z.number().int().openapi({ example: 20 }),
    document: z.record(z.string(), z.unknown()).openapi({ type: "object", example: ruleDocumentExample }),
  })
  .openapi("RuleTemplate");

export const templateListSchema = z.object({ data: z.array(templateSchema) }).openapi("RuleTemplateList");

export const webVitalNames = ["CLS", "FCP", "INP", "LCP", "TTFB", "FID"] as const;

/** Next.js `reportWebVitals` (web-vitals' Metric), plus the page it was measured on. */
export const webVitalSchema = z
  .object({
    id: z.string().min(1).max(200).openapi({ example: "v4-1732268100000-8123456789012" }),
    name: z.enum(webVitalNames),
    value: z.number().finite().min(0).max(1e7).openapi({ example: 1840.2 }),
    rating: z.enum(["good", "needs-improvement", "poor"]).optional(),
    delta: z.number().finite().optional().openapi({ example: 1840.2 }),
    navigationType: z.string().max(50).optional().openapi({ example: "navigate" }),
    page: z.string().min(1).max(2048).startsWith("/").optional().openapi({ example: "/create" }),
    pathname: z.string().min(1).max(2048).startsWith("/").optional().openapi({ example: "/create" }),
  })
  .refine((metric) => metric.page !== undefined || metric.pathname !== undefined, {
    message: "page (the path, e.g. /create) is required",
    path: ["page"],
  })
  .openapi("WebVital");

export const webVitalsBodySchema = z.union([webVitalSchema, z.array(webVitalSchema).min(1).max(50)]);

export const webVitalsQuerySchema = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(28)
    .openapi({ description: "Window, in days back from now (CrUX uses 28)", example: 28 }),
  page: z.string().min(1).max(2048).startsWith("/").optional().openapi({ example: "/create" }),
});

export const webVitalsSummarySchema = z
  .object({
    windowDays: z.number().int().openapi({ example: 28 }),
    data: z.array(
      z.object({
        page: z.string().openapi({ example: "/create" }),
        name: z.enum(webVitalNames),
        p75: z.number().openapi({ example: 2210.5 }),
        samples: z.number().int().openapi({ example: 318 }),
        rating: z.enum(["good", "needs-improvement", "poor"]).openapi({ description: "The p75 judged by the web.dev thresholds" }),
      }),
    ),
  })
  .openapi("WebVitalsSummary");
