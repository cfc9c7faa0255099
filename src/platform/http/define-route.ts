import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { errorEnvelopeSchema } from "./errors.ts";

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: errorEnvelopeSchema } } });

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

/** `createRoute` with the shared error responses, so every route documents the one envelope. */
export function defineRoute<const R extends RouteConfig>(route: R) {
  return createRoute({ ...route, responses: { ...standardErrorResponses, ...route.responses } } as R & {
    responses: R["responses"] & typeof standardErrorResponses;
  });
}

export { errorResponse };
