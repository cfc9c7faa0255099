import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute, documentRoute } from "../../../platform/http/define-route.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { findNul } from "../../../platform/http/text.ts";
import { nulError, validationError } from "../../../platform/http/validation-error.ts";
import { clockOf } from "../../../platform/identity/identity-settings.ts";
import { TELEMETRY_MAX_EVENTS, TELEMETRY_PATH, telemetryBatchSchema, telemetryResultSchema } from "../schemas/telemetry.ts";
import { recordTelemetry } from "../services/record-telemetry.ts";
import { asCaller, signedInUser, userSecurity } from "./user-auth.ts";

export const postTelemetryRoute = defineRoute({
  method: "post",
  path: TELEMETRY_PATH,
  operationId: "postTelemetryEvents",
  tags: ["insights"],
  summary: `Record up to ${TELEMETRY_MAX_EVENTS} usage events (JSON, or the text/plain body navigator.sendBeacon sends); a resent event is counted as a duplicate, not stored twice`,
  security: userSecurity,
  middleware: [signedInUser] as const,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: telemetryBatchSchema }, "text/plain": { schema: telemetryBatchSchema } },
    },
  },
  responses: {
    202: { description: "Stored (committed) and queued for analysis", content: { "application/json": { schema: telemetryResultSchema } } },
    200: {
      description: "Telemetry is off for this user: nothing was stored (`dropped` counts the events); a client should stop sending",
      content: {
        "application/json": {
          schema: telemetryResultSchema.openapi({ example: { accepted: 0, duplicates: 0, dropped: 2, telemetryEnabled: false } }),
        },
      },
    },
    ...authErrorResponses,
  },
});

/** The batch from the body text: sendBeacon can only send a JSON string as text/plain. */
function readBatch(contentType: string | undefined, text: string) {
  // The platform's media-type check looks only at requests that announce a body length; this one
  // reads any body, so it checks the type itself.
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && type !== "text/plain" && !type.endsWith("+json")) {
    throw new AppError("unsupported_media_type", "Send the batch as application/json (or text/plain, as navigator.sendBeacon does)");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "Request body is not valid JSON");
  }
  const result = telemetryBatchSchema.safeParse(parsed);
  if (!result.success) throw validationError(result.error, "body");
  const nulAt = findNul(result.data);
  if (nulAt) throw nulError("body", nulAt);
  return result.data;
}

export function registerPostTelemetry(app: AppRouter): void {
  // A plain handler (the contract is registered for the document): both media types are read as text.
  documentRoute(app, postTelemetryRoute);
  app.post(postTelemetryRoute.path, ...postTelemetryRoute.middleware, async (c) => {
    const { events } = readBatch(c.req.header("content-type"), await c.req.text());
    const services = c.get("services");
    const result = await asCaller(c, (tx, userId) => recordTelemetry(tx, services.jobs, { userId, events, now: clockOf(services) }));
    return c.json(result, result.telemetryEnabled ? 202 : 200);
  });
}
