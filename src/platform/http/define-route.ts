import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import type { AppRouter } from "./app-env.ts";
import { type ErrorCode, errorEnvelope, errorEnvelopeSchema } from "./errors.ts";

/** What a reader of the docs sees for each error code: a message like the ones the API writes. */
const exampleMessages: Partial<Record<ErrorCode, string>> = {
  validation_failed: "limit: Too big: expected number to be <=100",
  idempotency_key_required: "This route needs an Idempotency-Key header",
  unauthorized: "Missing API key: send X-API-Key",
  otp_invalid: "The code is wrong",
  forbidden: "The API key lacks the scope workflows:create",
  not_found: "No workflow wf_0m4k8r2t6y1u3i5o7p9a",
  method_not_allowed: "DELETE is not allowed on /api/v1/workflows; use GET, POST",
  conflict: "Key key_8d2j5h1k9m3n7b4v6c0x is revoked; create a new key instead",
  idempotency_in_flight: "A request with this Idempotency-Key is still being processed; retry shortly",
  payload_too_large: "Request body exceeds 1048576 bytes",
  unsupported_media_type: "Content-Type text/plain is not accepted here; send application/json",
  idempotency_key_reused: "This Idempotency-Key was used with a different request body; use a new key",
  rate_limited: "Too many requests; retry in 2 s",
  internal_error: "Internal server error",
  database_unavailable: "The database is unavailable; retry shortly",
};

/** The code an error response documented only by its status shows in its example. */
const codeForStatus: Record<number, ErrorCode> = {
  400: "validation_failed",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  409: "conflict",
  413: "payload_too_large",
  415: "unsupported_media_type",
  422: "idempotency_key_reused",
  429: "rate_limited",
  500: "internal_error",
  503: "database_unavailable",
};

const errorExample = (code: ErrorCode) =>
  errorEnvelope(code, exampleMessages[code] ?? code.replaceAll("_", " "), "01JD7Y2W3X4Z5A6B7C8D9E0F1G");

/** An error response in the one envelope; `code` picks its example (else the status's usual code). */
const errorResponse = (description: string, code?: ErrorCode) => ({
  description,
  content: { "application/json": { schema: errorEnvelopeSchema, ...(code ? { example: errorExample(code) } : {}) } },
});

/** Error responses any route can give; merged into every route's contract. */
export const standardErrorResponses = {
  400: errorResponse("Invalid input: the request changed nothing"),
  404: errorResponse("Not found"),
  405: errorResponse("Method not allowed for this path"),
  413: errorResponse("Request body too large"),
  415: errorResponse("Unsupported media type"),
  500: errorResponse("Unexpected error (logged with the request id)"),
  503: errorResponse("`database_unavailable`: the database cannot be reached; retry after `Retry-After` seconds"),
} as const;

export const authErrorResponses = {
  401: errorResponse("Missing, malformed, unknown, expired or revoked credentials"),
  403: errorResponse("Credentials lack the scope, or are bound to another org"),
} as const;

type Responses = RouteConfig["responses"];

/** Gives every error response without an example one whose code belongs to its status. */
function withErrorExamples(responses: Responses): Responses {
  const out: Responses = {};
  for (const [status, response] of Object.entries(responses)) {
    const content = (response as { content?: Record<string, { schema?: unknown; example?: unknown }> }).content;
    const json = content?.["application/json"];
    const code = codeForStatus[Number(status)];
    if (json?.schema === errorEnvelopeSchema && json.example === undefined && code) {
      out[status] = {
        ...response,
        content: { ...content, "application/json": { ...json, example: errorExample(code) } },
      } as Responses[string];
    } else out[status] = response;
  }
  return out;
}

/** The credentials a route accepts, one alternative per entry; `[]` for a public route. */
export type RouteSecurity = NonNullable<RouteConfig["security"]>;

/**
 * `createRoute` with the shared error responses, so every route documents the one envelope. An
 * `operationId` is required: a stable camelCase verbNoun (`listWorkflows`), unique in the document,
 * which generated clients name their methods after. `security` is required too: a public route says
 * `security: []` (with how it is protected in its description), so linters and clients never guess.
 */
export function defineRoute<const R extends RouteConfig & { operationId: string; security: RouteSecurity }>(route: R) {
  return createRoute({ ...route, responses: withErrorExamples({ ...standardErrorResponses, ...route.responses }) } as R & {
    responses: R["responses"] & typeof standardErrorResponses;
  });
}

/**
 * Puts a route served by a plain handler (`app.post(path, ...route.middleware, handler)`) in the
 * OpenAPI document. `app.openapi` does this itself; the registry alone would copy the route's
 * middleware into the document as a property no OpenAPI tool accepts.
 */
export function documentRoute(app: AppRouter, route: RouteConfig): void {
  const { middleware: _middleware, hide, ...documented } = route;
  if (!hide) app.openAPIRegistry.registerPath(documented as RouteConfig);
}

export { errorResponse };
