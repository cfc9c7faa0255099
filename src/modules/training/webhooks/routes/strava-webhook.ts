import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv, AppRouter } from "../../../../platform/http/app-env.ts";
import { defineRoute, documentRoute, errorResponse } from "../../../../platform/http/define-route.ts";
import { acceptStravaEvent, answerStravaHandshake, checkStravaPath } from "../strava-intake.ts";

export const STRAVA_WEBHOOK_PREFIX = "/webhooks/strava/";
/** Strava events are a few hundred bytes. */
export const STRAVA_BODY_LIMIT = 16 * 1024;

const handshakeQuery = z.object({
  "hub.mode": z.string().max(50).openapi({ example: "subscribe" }),
  "hub.verify_token": z.string().max(500).openapi({ example: "my-verify-token" }),
  "hub.challenge": z.string().min(1).max(500).openapi({ example: "15f7d1a91c1f40f8a748fd134752feb3" }),
});
const secretParam = z.object({
  secret: z.string().max(200).openapi({ description: "STRAVA_WEBHOOK_PATH_SECRET", example: "s3cr3t-path-segment-0123" }),
});

const handshakeResponses = {
  200: {
    description: "The challenge echoed: the subscription is confirmed",
    content: {
      "application/json": {
        schema: z
          .object({ "hub.challenge": z.string() })
          .openapi("StravaHandshake", { example: { "hub.challenge": "15f7d1a91c1f40f8a748fd134752feb3" } }),
      },
    },
  },
  403: errorResponse("hub.mode is not subscribe or hub.verify_token does not match STRAVA_VERIFY_TOKEN"),
} as const;

const eventBody = z
  .object({
    object_type: z.enum(["activity", "athlete"]),
    object_id: z.number().int(),
    aspect_type: z.enum(["create", "update", "delete"]),
    updates: z.record(z.string(), z.unknown()).optional(),
    owner_id: z.number().int(),
    subscription_id: z.number().int(),
    event_time: z.number().int(),
  })
  .openapi("StravaEvent", {
    example: {
      aspect_type: "create",
      event_time: 1516126040,
      object_id: 1360128428,
      object_type: "activity",
      owner_id: 134815,
      subscription_id: 120475,
      updates: {},
    },
  });
const eventResponses = {
  200: {
    description: "Stored in the inbox and queued (or a redelivery: nothing new)",
    content: {
      "application/json": {
        schema: z
          .object({ eventId: z.string(), duplicate: z.boolean() })
          .openapi("StravaEventReceived", { example: { eventId: "whe_4k2j9h7g5f3d1s0a8p6o", duplicate: false } }),
      },
    },
  },
  403: errorResponse("subscription_id is not ours, or owner_id is not a connected athlete: nothing stored"),
} as const;

const description =
  "Strava does not sign events. Checked instead: `subscription_id` equals STRAVA_SUBSCRIPTION_ID, `owner_id` is an athlete a user connected, and (when STRAVA_WEBHOOK_PATH_SECRET is set) the secret path segment. docs/training.md.";

export const stravaHandshakeRoute = defineRoute({
  method: "get",
  path: "/webhooks/strava",
  operationId: "stravaWebhookHandshake",
  security: [],
  tags: ["training"],
  summary: "Strava push subscription handshake: echoes hub.challenge when hub.verify_token matches",
  request: { query: handshakeQuery },
  responses: handshakeResponses,
});
export const stravaHandshakeSecretRoute = defineRoute({
  method: "get",
  path: "/webhooks/strava/{secret}",
  operationId: "stravaWebhookHandshakeSecretPath",
  security: [],
  tags: ["training"],
  summary: "The handshake at the secret callback path (when STRAVA_WEBHOOK_PATH_SECRET is set)",
  request: { params: secretParam, query: handshakeQuery },
  responses: handshakeResponses,
});
export const stravaEventRoute = defineRoute({
  method: "post",
  path: "/webhooks/strava",
  operationId: "stravaWebhookEvent",
  security: [],
  tags: ["training"],
  summary: "A Strava webhook event (activity or athlete; create, update, delete): stored and queued before the 200",
  description,
  request: { body: { required: true, content: { "application/json": { schema: eventBody } } } },
  responses: eventResponses,
});
export const stravaEventSecretRoute = defineRoute({
  method: "post",
  path: "/webhooks/strava/{secret}",
  operationId: "stravaWebhookEventSecretPath",
  security: [],
  tags: ["training"],
  summary: "A Strava webhook event at the secret callback path (when STRAVA_WEBHOOK_PATH_SECRET is set)",
  description,
  request: { params: secretParam, body: { required: true, content: { "application/json": { schema: eventBody } } } },
  responses: eventResponses,
});

export function registerStravaWebhook(app: AppRouter): void {
  const handshake = (c: Context<AppEnv>, secret: string | undefined) => {
    const { config } = c.get("services");
    checkStravaPath(config, secret);
    const query = c.req.query();
    return c.json(
      answerStravaHandshake(config, {
        mode: query["hub.mode"] ?? "",
        verifyToken: query["hub.verify_token"] ?? "",
        challenge: query["hub.challenge"] ?? "",
      }),
      200,
    );
  };
  app.openapi(stravaHandshakeRoute, (c) => handshake(c, undefined));
  app.openapi(stravaHandshakeSecretRoute, (c) => handshake(c, c.req.valid("param").secret));

  // Plain handlers: the body is kept byte for byte for the inbox (the contracts above document it).
  const event = async (c: Context<AppEnv>, secret: string | undefined) => {
    const { db, jobs, config } = c.get("services");
    checkStravaPath(config, secret);
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const contentType = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() || "application/json";
    const received = await acceptStravaEvent(db, jobs, config, { raw, contentType, headers: c.req.raw.headers });
    return c.json({ eventId: received.id, duplicate: received.duplicate }, 200);
  };
  app.post(stravaEventRoute.getRoutingPath(), (c) => event(c, undefined));
  app.post(stravaEventSecretRoute.getRoutingPath(), (c) => event(c, c.req.param("secret")));
  documentRoute(app, stravaEventRoute);
  documentRoute(app, stravaEventSecretRoute);
}
