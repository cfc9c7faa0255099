import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Config } from "../../../platform/config/config.ts";
import type { Database } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import type { JobQueue } from "../../../platform/module.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { type ReceivedEvent, receiveWebhookEvent } from "../../../platform/webhooks/receive-webhook-event.ts";
import { activityProcessingJob } from "../pipeline/activity-processing-job.ts";
import { findActiveConnection } from "../providers/connections.ts";

/** Strava's event (Webhook Events API, "Event Data"): ids, what changed, and nothing else. */
export const stravaEventSchema = z.object({
  object_type: z.enum(["activity", "athlete"]),
  object_id: z.number().int().positive(),
  aspect_type: z.enum(["create", "update", "delete"]),
  /** update: the changed fields (title, type, private); athlete deauthorization: { authorized: "false" }. */
  updates: z.record(z.string(), z.unknown()).default({}),
  owner_id: z.number().int().positive(),
  subscription_id: z.number().int().positive(),
  /** Epoch seconds. */
  event_time: z.number().int().positive(),
});
export type StravaEvent = z.infer<typeof stravaEventSchema>;

export const isDeauthorization = (event: StravaEvent) =>
  event.object_type === "athlete" && event.aspect_type === "update" && String(event.updates.authorized) === "false";

export const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** The path a Strava request came to must be the configured one: the secret segment when set, else none. */
export function checkStravaPath(config: Config, segment: string | undefined): void {
  const secret = config.STRAVA_WEBHOOK_PATH_SECRET;
  const ok = secret === undefined ? segment === undefined : segment !== undefined && sameSecret(segment, secret);
  if (!ok) throw new AppError("not_found", "No Strava webhook here");
}

/** The subscription handshake: echo hub.challenge when hub.verify_token is ours. */
export function answerStravaHandshake(config: Config, query: { mode: string; verifyToken: string; challenge: string }) {
  if (!config.STRAVA_VERIFY_TOKEN) throw new AppError("not_found", "Strava webhooks are not configured here (STRAVA_VERIFY_TOKEN)");
  if (query.mode !== "subscribe" || !sameSecret(query.verifyToken, config.STRAVA_VERIFY_TOKEN)) {
    throw new AppError("forbidden", "hub.verify_token does not match this server's STRAVA_VERIFY_TOKEN");
  }
  return { "hub.challenge": query.challenge };
}

export interface Delivery {
  raw: Uint8Array;
  contentType: string;
  headers: Headers;
}

/**
 * Strava does not sign events. What is checked instead: the subscription id is ours, the athlete
 * is one a user connected (a live link), and, when configured, the secret path segment. Then the
 * event is stored raw and `training.activity-processing` enqueued in one transaction, before the 200.
 * A redelivery (same object, aspect and event_time) is a no-op.
 */
export async function acceptStravaEvent(db: Database, jobs: JobQueue, config: Config, delivery: Delivery): Promise<ReceivedEvent> {
  if (!config.STRAVA_SUBSCRIPTION_ID) throw new AppError("not_found", "Strava webhooks are not configured here (STRAVA_SUBSCRIPTION_ID)");
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(delivery.raw).toString("utf8"));
  } catch {
    throw new AppError("invalid_json", "Request body is not valid JSON");
  }
  const parsed = stravaEventSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("validation_failed", `Not a Strava webhook event: ${issue?.path.join(".") || "body"}: ${issue?.message}`);
  }
  const event = parsed.data;
  if (String(event.subscription_id) !== config.STRAVA_SUBSCRIPTION_ID) {
    throw new AppError("forbidden", "subscription_id is not this server's Strava subscription");
  }
  return asService(db, "training: strava webhook intake", async (tx) => {
    // Who the athlete is decides whether the event is ours at all; unknown athletes store nothing.
    const connection = await findActiveConnection(tx, "strava", String(event.owner_id));
    if (!connection) throw new AppError("forbidden", "owner_id is not a Strava athlete connected here");
    return receiveWebhookEvent(
      tx,
      jobs,
      {
        orgId: null,
        source: "strava",
        // Scoped to the athlete (owner_id): one athlete's event never dedupes another's.
        externalId: `${event.owner_id}:${event.object_type}:${event.object_id}:${event.aspect_type}:${event.event_time}`,
        contentType: delivery.contentType,
        headers: delivery.headers,
        body: delivery.raw,
      },
      activityProcessingJob,
      (eventId) => ({ eventId }),
    );
  });
}
