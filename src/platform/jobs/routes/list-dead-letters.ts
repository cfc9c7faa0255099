import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { listDeadLetters } from "../dead-letters.ts";
import { queueGuard, requirePlatformKey } from "./queue-guard.ts";
import { deadLetterPageSchema, listDeadLettersQuery } from "./schemas.ts";

export const listDeadLettersRoute = defineRoute({
  method: "get",
  path: "/api/v1/queue/dlq",
  operationId: "listDeadLetters",
  tags: ["queue"],
  summary: "Dead-lettered jobs, newest first, with payload, attempts and last error (cursor-paged)",
  security: [{ ApiKey: [] }],
  middleware: [queueGuard("queue:read")] as const,
  request: { query: listDeadLettersQuery },
  responses: { 200: { description: "One page", content: { "application/json": { schema: deadLetterPageSchema } } }, ...authErrorResponses },
});

export function registerListDeadLetters(app: AppRouter): void {
  app.openapi(listDeadLettersRoute, async (c) => {
    requirePlatformKey(c);
    const query = c.req.valid("query");
    const { db, config } = c.get("services");
    return c.json(await listDeadLetters(db, { ...query, secret: config.BACKPLANE_SECRET }), 200);
  });
}
