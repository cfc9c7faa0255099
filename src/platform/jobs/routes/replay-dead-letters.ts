import { auditSourceOf } from "../../audit/audit-source.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../http/define-route.ts";
import { idempotency, idempotencyContract } from "../../idempotency/idempotency.ts";
import { replayDeadLetters } from "../dead-letters.ts";
import type { JobRegistry } from "../job-registry.ts";
import { producerOf } from "../producer-of.ts";
import { queueGuard, requirePlatformKey } from "./queue-guard.ts";
import { replayBodySchema, replayResultSchema } from "./schemas.ts";

export const replayDeadLettersRoute = defineRoute({
  method: "post",
  path: "/api/v1/queue/dlq/replay",
  operationId: "replayDeadLetters",
  tags: ["queue"],
  summary: "Replay one dead letter (by id) or all of a queue; a second replay of the same jobs moves nothing",
  security: [{ ApiKey: [] }],
  middleware: [queueGuard("queue:manage"), idempotency()] as const,
  request: {
    headers: idempotencyContract.headers(),
    body: { required: true, content: { "application/json": { schema: replayBodySchema } } },
  },
  responses: {
    200: { description: "Replayed", content: { "application/json": { schema: replayResultSchema } } },
    ...authErrorResponses,
    ...idempotencyContract.responses,
  },
});

export function registerReplayDeadLetters(app: AppRouter, registry: JobRegistry): void {
  app.openapi(replayDeadLettersRoute, async (c) => {
    requirePlatformKey(c);
    const services = c.get("services");
    const result = await replayDeadLetters(
      { db: services.db, boss: await producerOf(services.jobs), registry, config: services.config, source: auditSourceOf(c) },
      c.req.valid("json"),
    );
    c.get("log").info({ replayed: result.replayed }, "dead letters replayed");
    return c.json(result, 200);
  });
}
