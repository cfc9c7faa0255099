import { z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv, AppRouter } from "../../../platform/http/app-env.ts";
import { defineRoute, documentRoute } from "../../../platform/http/define-route.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { IDEMPOTENCY_HEADER, idempotency, idempotencyContract, readIdempotencyKey } from "../../../platform/idempotency/idempotency.ts";
import { acceptTrigger, type ResolvedTrigger, resolveTriggerKey } from "../services/accept-trigger.ts";
import { formToObject } from "../services/start-run.ts";

export const TRIGGER_PATH_PREFIX = "/api/v1/triggers/";
/** The seed's 512 KB. */
export const TRIGGER_BODY_LIMIT = 524_288;

// The trigger a request's key opened, for the Idempotency-Key scope (only looked up first when
// the request carries one; otherwise the intake transaction finds it in its first round trip).
const resolved = new WeakMap<Request, ResolvedTrigger>();
const triggerOf = (c: Context<AppEnv>) => {
  const trigger = resolved.get(c.req.raw);
  if (!trigger) throw new Error("trigger route without resolveTrigger");
  return trigger;
};

const resolveTrigger: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header(IDEMPOTENCY_HEADER) !== undefined) {
    const { db, config } = c.get("services");
    resolved.set(c.req.raw, await resolveTriggerKey(db, config.BACKPLANE_SECRET, c.req.param("key") ?? ""));
  }
  await next();
};

const formType = "application/x-www-form-urlencoded";

export const postTriggerRoute = defineRoute({
  method: "post",
  path: "/api/v1/triggers/{key}",
  operationId: "triggerWorkflow",
  security: [],
  tags: ["workflows"],
  summary: "Start a workflow run: the event is stored and queued before the 202 (JSON or form body, at most 512 KB)",
  description:
    "The trigger key in the path is the credential (shown once when the trigger is made). Send `Idempotency-Key` to make retries safe: the same key and body answer the first 202 again.",
  middleware: [resolveTrigger, idempotency({ scope: (c) => `trigger:${triggerOf(c).id}` })] as const,
  request: {
    params: z.object({ key: z.string().openapi({ example: "trg_9fK2mQ7xLp3vN8sR1tY6wZ4bC0dE5gH" }) }),
    headers: idempotencyContract.headers(),
    body: {
      required: false,
      content: {
        "application/json": {
          schema: z.record(z.string(), z.unknown()).openapi({ example: { orderId: "A-1042", email: "jo@example.com" } }),
        },
        [formType]: { schema: z.record(z.string(), z.string()).openapi({ example: { orderId: "A-1042" } }) },
      },
    },
  },
  responses: {
    202: {
      description: "Accepted: stored in the inbox and queued",
      content: {
        "application/json": {
          schema: z
            .object({ eventId: z.string(), runId: z.string().nullable() })
            .openapi("TriggerAccepted", { example: { eventId: "whe_4k2j9h7g5f3d1s0a8p6o", runId: "run_2b4d6f8h0j2l4n6p8r0t" } }),
        },
      },
    },
    ...idempotencyContract.responses,
  },
});

function parseBody(raw: Uint8Array, contentType: string): unknown {
  const text = Buffer.from(raw).toString("utf8");
  if (text.trim() === "") return {};
  if (contentType === formType) return formToObject(text);
  // The platform's media-type check sees only declared bodies; this one sees every byte.
  if (contentType !== "application/json" && !contentType.endsWith("+json")) {
    throw new AppError("unsupported_media_type", `Content-Type ${contentType} is not accepted here; send application/json or ${formType}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "Request body is not valid JSON");
  }
}

export function registerPostTrigger(app: AppRouter): void {
  // A plain handler rather than the validating one: the body is kept byte for byte, and a form
  // body is turned into an object here (the contract above documents both).
  app.post(postTriggerRoute.getRoutingPath(), ...postTriggerRoute.middleware, async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const contentType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() || "application/json";
    const { db, jobs, config } = c.get("services");
    const accepted = await acceptTrigger(db, jobs, config.BACKPLANE_SECRET, c.req.param("key") ?? "", {
      contentType,
      headers: c.req.raw.headers,
      raw,
      parse: () => parseBody(raw, contentType),
      idempotencyKey: readIdempotencyKey(c),
    });
    return c.json(accepted, 202);
  });
  documentRoute(app, postTriggerRoute);
}
