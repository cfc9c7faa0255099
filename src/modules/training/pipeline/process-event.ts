import type { Sql } from "../../../platform/db/database.ts";
import type { JobContext } from "../../../platform/module.ts";
import { asService, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { markWebhookEvent } from "../../../platform/webhooks/receive-webhook-event.ts";
import { type ConnectionRow, findActiveConnection, revokeConnection } from "../providers/connections.ts";
import {
  garminActivitySchema,
  garminDailySchema,
  garminHrvSchema,
  garminPayloadSchema,
  garminSleepSchema,
} from "../providers/garmin-payload.ts";
import { stravaClient } from "../providers/strava-client.ts";
import { stravaAccessToken } from "../providers/strava-token.ts";
import { tokenKeyRing } from "../providers/token-crypto.ts";
import { VendorError, vendorJson } from "../providers/vendor-http.ts";
import { isDeauthorization, stravaEventSchema } from "../webhooks/strava-intake.ts";
import { type ActivityProcessingPayload, activityProcessingJob, MAX_DEFERRALS, PROCESSING_RETRIES } from "./activity-processing-job.ts";
import { analyseAndNotify, reanalyseFrom } from "./analyse.ts";
import { type NormalizedActivity, normalizeGarmin, normalizeStrava } from "./normalize.ts";
import { saveActivity, saveDailyMetrics, tombstoneActivity } from "./training-store.ts";

/** Nothing to retry: the event cannot be processed as it stands (its outcome is recorded on the event). */
export class PermanentFailure extends Error {
  override name = "PermanentFailure";
}

/** What one event came to, for the log. */
type Outcome = string;

const userTenant = (userId: string) => ({ orgId: null, userId, principal: "job:training.activity-processing" });

export async function processWebhookEvent(payload: ActivityProcessingPayload, context: JobContext): Promise<void> {
  const { services, attempt } = context;
  const { db, log } = services;
  const [event] = await asService(db, "training: read webhook event", (tx) =>
    tx.query<{ id: string; source: string; body: Uint8Array }>("SELECT id, source, body FROM backplane.webhook_events WHERE id = $1", [
      payload.eventId,
    ]),
  );
  if (!event) return void log.warn({ eventId: payload.eventId }, "webhook event gone (retention) before processing");
  const mark = (outcome: Parameters<typeof markWebhookEvent>[2]) =>
    asService(db, "training: mark webhook event", (tx) => markWebhookEvent(tx, event.id, outcome));
  try {
    const body: unknown = JSON.parse(Buffer.from(event.body).toString("utf8"));
    const outcome =
      event.source === "strava"
        ? await processStrava(body, context)
        : event.source === "garmin"
          ? await processGarmin(body, context)
          : null;
    if (outcome === null) throw new PermanentFailure(`no processing for source ${event.source}`);
    await mark({ status: "processed" });
    log.info({ eventId: event.id, source: event.source, outcome }, "training event processed");
  } catch (error) {
    if (error instanceof VendorError && error.status === 429 && (payload.deferrals ?? 0) < MAX_DEFERRALS) {
      // Honour the vendor's Retry-After: the same event again, as a new job due then (not an attempt used up).
      const delay = Math.max(1, error.retryAfterSeconds ?? 60);
      await services.jobs.enqueue(
        activityProcessingJob,
        { eventId: event.id, deferrals: (payload.deferrals ?? 0) + 1 },
        { startAfter: delay },
      );
      log.warn({ eventId: event.id, retryAfterSeconds: delay }, "vendor rate limit: event deferred");
      return;
    }
    const permanent = error instanceof PermanentFailure || (error instanceof VendorError && !error.retryable);
    if (permanent || attempt > PROCESSING_RETRIES) {
      await mark({ status: "failed", error: error instanceof Error ? error.message : String(error) });
      if (permanent) return void log.warn({ eventId: event.id, err: error }, "training event failed for good");
    }
    throw error;
  }
}

async function connectionOf(provider: "strava" | "garmin", externalUserId: string, context: JobContext): Promise<ConnectionRow> {
  const connection = await asService(context.services.db, "training: find connection", (tx) =>
    findActiveConnection(tx, provider, externalUserId),
  );
  if (!connection) throw new PermanentFailure(`${provider} account ${externalUserId} is no longer connected`);
  return connection;
}

async function processStrava(body: unknown, context: JobContext): Promise<Outcome> {
  const { services } = context;
  const event = stravaEventSchema.parse(body);
  const connection = await connectionOf("strava", String(event.owner_id), context);
  const tenant = userTenant(connection.user_id);
  const { config } = services;
  const client = stravaClient(config);
  const ring = tokenKeyRing(config.BACKPLANE_SECRET, config.PROVIDER_TOKEN_PREVIOUS_SECRETS);
  // Strava does not sign events: the two that destroy something are confirmed with Strava first.
  if (isDeauthorization(event)) {
    const stillAuthorized = await withTenant(services.db, tenant, (tx) =>
      stravaAccessToken(tx, ring, client, connection.id, clock(context), { forceRefresh: true }).then(
        () => true,
        (error: unknown) => {
          if (error instanceof VendorError && (error.status === 400 || error.status === 401)) return false;
          throw error;
        },
      ),
    );
    if (stillAuthorized) return "deauthorization not confirmed (Strava still refreshes the token): ignored";
    await withTenant(services.db, tenant, (tx) => revokeConnection(tx, { id: connection.id }));
    return "athlete deauthorized: connection revoked";
  }
  if (event.object_type !== "activity") return `athlete ${event.aspect_type}: nothing to do`;
  if (event.aspect_type === "delete") {
    const token = await withTenant(services.db, tenant, (tx) => stravaAccessToken(tx, ring, client, connection.id, clock(context)));
    const stillThere = await client.activity(token, String(event.object_id), context.signal).then(
      () => true,
      (error: unknown) => {
        if (error instanceof VendorError && error.status === 404) return false;
        throw error;
      },
    );
    if (stillThere) return "delete not confirmed (Strava still has the activity): ignored";
    const removed = await withTenant(services.db, tenant, async (tx) => {
      const day = await tombstoneActivity(tx, connection.user_id, "strava", String(event.object_id));
      if (day) await reanalyseFrom(tx, connection.user_id, day);
      return day;
    });
    return removed ? "activity deleted (tombstone)" : "activity delete: not stored here";
  }
  // fetch: a token that works (refreshed ahead of expiry), then the full activity.
  const accessToken = await withTenant(services.db, tenant, (tx) => stravaAccessToken(tx, ring, client, connection.id, clock(context)));
  const detail = await client.activity(accessToken, String(event.object_id), context.signal);
  if (String(detail.athlete.id) !== connection.external_user_id) throw new PermanentFailure("Strava returned another athlete's activity");
  const activity = normalizeStrava(detail);
  if (!activity) return `sport ${detail.sport_type ?? detail.type} not tracked`;
  return ingestActivity(connection.user_id, activity, context);
}

/** normalize → load → save → re-analyse → notify, in the user's transaction. */
async function ingestActivity(userId: string, activity: NormalizedActivity, context: JobContext): Promise<Outcome> {
  const { services } = context;
  return withTenant(services.db, userTenant(userId), async (tx) => {
    const saved = await saveActivity(tx, userId, activity);
    await analyseAndNotify(tx, services, userId, saved);
    return `activity ${saved.id} ${saved.created ? "created" : "updated"}`;
  });
}

const clock = (context: JobContext) => context.services.clock?.() ?? new Date();

async function processGarmin(body: unknown, context: JobContext): Promise<Outcome> {
  const payload = garminPayloadSchema.parse(body);
  const [list, entries] = Object.entries(payload)[0] ?? [];
  const entry = entries?.[0];
  if (!list || !entry) throw new PermanentFailure("empty Garmin event");
  const connection = await connectionOf("garmin", entry.userId, context);
  if (list === "deregistrations") {
    await withTenant(context.services.db, userTenant(connection.user_id), (tx) => revokeConnection(tx, { id: connection.id }));
    return "garmin user deregistered: connection revoked";
  }
  let summaries: unknown[] = [entry];
  if (entry.callbackURL !== undefined) {
    // Ping: pull the summaries from Garmin (verified at intake to be on GARMIN_API_URL).
    const { config } = context.services;
    if (new URL(entry.callbackURL).origin !== new URL(config.GARMIN_API_URL).origin)
      throw new PermanentFailure("callbackURL not on GARMIN_API_URL");
    const pulled = await vendorJson<unknown>({
      vendor: "garmin",
      method: "GET",
      url: entry.callbackURL,
      timeoutMs: config.OUTBOUND_TIMEOUT_MS,
      signal: context.signal,
    });
    if (!Array.isArray(pulled)) throw new VendorError("garmin", 200, "Garmin pull answered something other than a list");
    // Only the pinged user's summaries: a pull answers for the one user anyway.
    summaries = pulled.filter(
      (item) => (item as { userId?: unknown })?.userId === undefined || (item as { userId?: unknown }).userId === entry.userId,
    );
  }
  const done: string[] = [];
  for (const summary of summaries)
    done.push(await processGarminSummary(list, { userId: entry.userId, ...(summary as object) }, connection.user_id, context));
  return done.join("; ") || "nothing pulled";
}

async function processGarminSummary(list: string, summary: unknown, userId: string, context: JobContext): Promise<Outcome> {
  if (list === "activities" || list === "manuallyUpdatedActivities") {
    const activity = normalizeGarmin(garminActivitySchema.parse(summary));
    if (!activity) return `activity type ${(summary as { activityType?: string }).activityType} not tracked`;
    return ingestActivity(userId, activity, context);
  }
  const metrics =
    list === "dailies"
      ? ((daily) => ({
          date: daily.calendarDate,
          restingHr: daily.restingHeartRateInBeatsPerMinute ?? undefined,
          stressScore: daily.averageStressLevel != null && daily.averageStressLevel >= 0 ? daily.averageStressLevel : undefined,
        }))(garminDailySchema.parse(summary))
      : list === "sleeps"
        ? ((sleep) => ({ date: sleep.calendarDate, sleepHours: Math.round((sleep.durationInSeconds / 3600) * 100) / 100 }))(
            garminSleepSchema.parse(summary),
          )
        : list === "hrv"
          ? ((hrv) => ({ date: hrv.calendarDate, hrvRmssd: hrv.lastNightAvg ?? undefined }))(garminHrvSchema.parse(summary))
          : null;
  if (!metrics) return `${list}: not processed`;
  await withTenant(context.services.db, userTenant(userId), async (tx: Sql) => {
    await saveDailyMetrics(tx, userId, metrics);
    await reanalyseFrom(tx, userId, metrics.date);
  });
  return `${list} ${metrics.date} saved`;
}
