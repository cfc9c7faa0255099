import { z } from "@hono/zod-openapi";

const stepName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,49}$/, "must be lowercase letters, digits or _ (templates read {{steps.<name>.response…}})")
  .openapi({ example: "notify_crm" });
const template = (max: number) => z.string().min(1).max(max);

/** A JSON value whose strings are templates (rendered leaf by leaf, so substitution never breaks the JSON). */
function isJsonTemplate(value: unknown, depth = 0): boolean {
  if (depth > 10) return false;
  if (value === null || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return true;
  if (typeof value === "string") return value.length <= 10_000;
  if (Array.isArray(value)) return value.length <= 100 && value.every((item) => isJsonTemplate(item, depth + 1));
  if (typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length <= 100 && entries.every(([key, item]) => key.length <= 200 && isJsonTemplate(item, depth + 1));
  }
  return false;
}
// Checked by a function, not a recursive schema: the OpenAPI generator cannot walk z.lazy.
const jsonTemplate = z
  .unknown()
  .refine((value) => isJsonTemplate(value), "must be JSON (at most 10 levels, 100 items per level, strings up to 10,000 characters)")
  .openapi({ description: "Any JSON value; its strings are templates" });

export const httpRequestStepSchema = z
  .object({
    type: z.literal("http_request"),
    name: stepName,
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("POST"),
    url: template(2000).openapi({ example: "https://crm.example.com/hooks/orders/{{trigger.body.orderId}}" }),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/, "must be a header name"), template(2000))
      .default({})
      .refine((headers) => Object.keys(headers).length <= 30, "at most 30 headers"),
    body: jsonTemplate.optional().openapi({ example: { order: "{{trigger.body.orderId}}", total: "{{trigger.body.total}}" } }),
    /** Standard Webhooks signing secret (`whsec_` + base64): the call carries webhook-id/-timestamp/-signature. */
    signingSecret: z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/]{32,}={0,2}$/, "must be whsec_ followed by base64 (at least 24 bytes)")
      .optional()
      .openapi({ description: "Signs the call with Standard Webhooks headers; never returned once stored" }),
    timeoutMs: z.number().int().min(100).max(30_000).optional(),
  })
  .openapi("HttpRequestStep");

export const emailStepSchema = z
  .object({
    type: z.literal("email"),
    name: stepName,
    to: template(500).openapi({ example: "{{trigger.body.email}}" }),
    subject: template(500).openapi({ example: "Order {{trigger.body.orderId}} received" }),
    body: template(20_000).openapi({ example: "Thanks, {{trigger.body.name}}." }),
  })
  .openapi("EmailStep");

export const MAX_DELAY_SECONDS = 7 * 24 * 3600;

export const delayStepSchema = z
  .object({
    type: z.literal("delay"),
    name: stepName,
    seconds: z.number().int().min(1).max(MAX_DELAY_SECONDS).openapi({ example: 300 }),
  })
  .openapi("DelayStep");

export const logStepSchema = z
  .object({
    type: z.literal("log"),
    name: stepName,
    level: z.enum(["debug", "info", "warn", "error"]).default("info"),
    message: template(5000).openapi({ example: "Order {{trigger.body.orderId}} forwarded" }),
  })
  .openapi("LogStep");

export const stepSchema = z.discriminatedUnion("type", [httpRequestStepSchema, emailStepSchema, delayStepSchema, logStepSchema]);
export type Step = z.infer<typeof stepSchema>;
export type HttpRequestStep = z.infer<typeof httpRequestStepSchema>;

export const stepsSchema = z
  .array(stepSchema)
  .min(1)
  .max(50)
  .refine((steps) => new Set(steps.map((step) => step.name)).size === steps.length, "step names must be unique");

export const prioritySchema = z.enum(["critical", "default", "bulk"]).openapi({ description: "The queue its steps run on" });

export const workflowIdSchema = z
  .string()
  .regex(/^wf_[0-9a-z]{1,64}$/, "must be a workflow id (wf_…)")
  .openapi({ example: "wf_8h2k4m6n8p0r2t4v6x8z" });
export const triggerIdSchema = z
  .string()
  .regex(/^trig_[0-9a-z]{1,64}$/, "must be a trigger id (trig_…)")
  .openapi({ example: "trig_3c5e7g9i1k3m5o7q9s1u" });
export const runIdSchema = z
  .string()
  .regex(/^run_[0-9a-z]{1,64}$/, "must be a run id (run_…)")
  .openapi({ example: "run_2b4d6f8h0j2l4n6p8r0t" });

const exampleSteps = [
  {
    type: "http_request",
    name: "notify_crm",
    method: "POST",
    url: "https://crm.example.com/hooks/orders",
    body: { order: "{{trigger.body.orderId}}" },
  },
  { type: "delay", name: "wait", seconds: 300 },
  { type: "email", name: "confirm", to: "{{trigger.body.email}}", subject: "Order {{trigger.body.orderId}}", body: "Thanks!" },
  { type: "log", name: "done", level: "info", message: "CRM answered {{steps.notify_crm.response.status}}" },
];

export const createWorkflowBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    priority: prioritySchema.default("default"),
    triggers: z
      .array(z.object({ name: z.string().trim().min(1).max(100) }))
      .min(1)
      .max(10)
      .default([{ name: "default" }]),
    steps: stepsSchema,
  })
  .openapi("CreateWorkflow", {
    example: { name: "Order received", priority: "default", triggers: [{ name: "shop" }], steps: exampleSteps },
  });

export const updateWorkflowBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    priority: prioritySchema.optional(),
    steps: stepsSchema.optional(),
    enabled: z.boolean().optional().openapi({ description: "false disables the workflow: its triggers answer 404" }),
  })
  .refine((body) => Object.keys(body).length > 0, "send at least one field")
  .openapi("UpdateWorkflow", { example: { enabled: false } });

export const triggerSchema = z
  .object({
    id: triggerIdSchema,
    name: z.string().openapi({ example: "shop" }),
    prefix: z.string().openapi({ example: "trg_Ab3dEf", description: "The key's first characters, to tell keys apart" }),
    enabled: z.boolean().openapi({ example: true }),
    createdAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
    rotatedAt: z.string().datetime().nullable().openapi({ example: null }),
    url: z
      .string()
      .openapi({ example: "/api/v1/triggers/{key}", description: "Where to POST events (the key is shown only at creation and rotation)" }),
  })
  .openapi("Trigger");

export const triggerWithKeySchema = triggerSchema
  .extend({ key: z.string().openapi({ example: "trg_9fK2mQ7xLp3vN8sR1tY6wZ4bC0dE5gH", description: "Shown once" }) })
  .openapi("TriggerWithKey");

// Steps as returned: a signing secret is never echoed back.
const storedStepSchema = z.record(z.string(), z.unknown()).openapi({ example: exampleSteps[0] });

export const workflowSchema = z
  .object({
    id: workflowIdSchema,
    orgId: z.string().openapi({ example: "org_7x1c9v3b5n7m2k4j6h8g" }),
    name: z.string().openapi({ example: "Order received" }),
    priority: prioritySchema,
    enabled: z.boolean().openapi({ example: true }),
    steps: z.array(storedStepSchema),
    triggers: z.array(triggerSchema),
    createdAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
    updatedAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
  })
  .openapi("Workflow");

export const createdWorkflowSchema = workflowSchema.extend({ triggers: z.array(triggerWithKeySchema) }).openapi("CreatedWorkflow");

export const stepRunSchema = z
  .object({
    index: z.number().int().openapi({ example: 0 }),
    name: z.string().openapi({ example: "notify_crm" }),
    type: z.string().openapi({ example: "http_request" }),
    status: z.enum(["queued", "running", "waiting", "succeeded", "failed"]).openapi({ example: "succeeded" }),
    attempts: z.number().int().openapi({ example: 1 }),
    output: z
      .unknown()
      .nullable()
      .openapi({ example: { response: { status: 200, headers: { "content-type": "application/json" }, body: { ok: true } } } }),
    error: z.string().nullable().openapi({ example: null }),
    startedAt: z.string().datetime().nullable().openapi({ example: "2026-11-22T09:15:00.210Z" }),
    finishedAt: z.string().datetime().nullable().openapi({ example: "2026-11-22T09:15:00.388Z" }),
  })
  .openapi("StepRun");

export const runSchema = z
  .object({
    id: runIdSchema,
    workflowId: workflowIdSchema,
    eventId: z.string().nullable().openapi({ example: "whe_4k2j9h7g5f3d1s0a8p6o" }),
    status: z.enum(["queued", "running", "succeeded", "failed"]).openapi({ example: "succeeded" }),
    error: z.string().nullable().openapi({ example: null }),
    createdAt: z.string().datetime().openapi({ example: "2026-11-22T09:15:00.000Z" }),
    startedAt: z.string().datetime().nullable().openapi({ example: "2026-11-22T09:15:00.120Z" }),
    finishedAt: z.string().datetime().nullable().openapi({ example: "2026-11-22T09:15:00.402Z" }),
    steps: z.array(stepRunSchema),
  })
  .openapi("Run");
