import { createHash } from "node:crypto";
import type { Config } from "../../../platform/config/config.ts";
import type { Database } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import type { JobQueue } from "../../../platform/module.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";
import { receiveWebhookEvent } from "../../../platform/webhooks/receive-webhook-event.ts";
import { activityProcessingJob } from "../pipeline/activity-processing-job.ts";
import { type ConnectionRow, findActiveConnections, garminTokenDigester, sameHexDigest } from "../providers/connections.ts";
import { type GarminEndpoint, type GarminEntry, garminListsFor, garminPayloadSchema } from "../providers/garmin-payload.ts";
import { type Delivery, sameSecret } from "./strava-intake.ts";

export const GARMIN_SECRET_HEADER = "x-webhook-secret";

export interface GarminIntake {
  /** Summaries (or pings) stored and queued now. */
  accepted: number;
  /** Seen before (same summaryId, or the same ping): nothing done. */
  duplicates: number;
  /** Not verifiable (unknown user, wrong token, foreign callback): dropped, not stored. */
  rejected: number;
  /** Lists this endpoint does not process (e.g. epochs): dropped. */
  ignored: number;
}

type Refusal = "unknown_user" | "token_mismatch" | "foreign_callback" | "no_summary_id";

/** Why an entry cannot be trusted, or null when it can. */
function refusal(
  entry: GarminEntry,
  list: string,
  connection: ConnectionRow | undefined,
  config: Config,
  digest: (t: string) => string,
): Refusal | null {
  if (!connection) return "unknown_user";
  if (list === "deregistrations") {
    // It ends the link, so it must prove the link: the userAccessToken it carries must be the mapped one.
    if (!entry.userAccessToken || !connection.user_token_digest) return "token_mismatch";
    return sameHexDigest(digest(entry.userAccessToken), connection.user_token_digest) ? null : "token_mismatch";
  }
  if (entry.callbackURL !== undefined) {
    // A ping only makes us pull from Garmin itself (no egress elsewhere), and like a push it must
    // prove the user: Garmin's ping entries carry the userAccessToken too.
    if (new URL(entry.callbackURL).origin !== new URL(config.GARMIN_API_URL).origin) return "foreign_callback";
  } else if (!entry.summaryId) return "no_summary_id";
  // The entry must carry the user's token, and the token must match the mapping.
  if (!entry.userAccessToken || !connection.user_token_digest) return "token_mismatch";
  return sameHexDigest(digest(entry.userAccessToken), connection.user_token_digest) ? null : "token_mismatch";
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 40);

function externalIdOf(list: string, entry: GarminEntry, raw: string): string {
  // Scoped to the Garmin user: summaryIds are Garmin's, and two users' summaries must never collide.
  if (entry.callbackURL !== undefined) return `${list}:${entry.userId}:ping:${sha256(entry.callbackURL)}`;
  if (list === "deregistrations") return `deregistrations:${entry.userId}:${sha256(raw)}`;
  return `${list}:${entry.userId}:${entry.summaryId}`;
}

/**
 * Garmin does not sign notifications. Checked instead: the `garmin-client-id` header is our
 * consumer key; with GARMIN_WEBHOOK_SECRET set, the X-Webhook-Secret header matches; each entry's
 * userId is a Garmin user connected here; every entry (push, ping, deregistration) carries that
 * user's userAccessToken (compared with the stored digest); a ping's callbackURL is on GARMIN_API_URL. Verified entries are stored one
 * event each (the entry as a one-summary Garmin payload), keyed by summaryId, with their
 * `training.activity-processing` job, in one transaction before the 200. A delivery with nothing
 * verifiable is refused and stores nothing.
 */
export async function acceptGarminDelivery(
  db: Database,
  jobs: JobQueue,
  config: Config,
  endpoint: GarminEndpoint,
  delivery: Delivery,
): Promise<GarminIntake> {
  if (!config.GARMIN_CLIENT_ID) throw new AppError("not_found", "Garmin webhooks are not configured here (GARMIN_CLIENT_ID)");
  const clientId = delivery.headers.get("garmin-client-id") ?? "";
  if (!sameSecret(clientId, config.GARMIN_CLIENT_ID))
    throw new AppError("unauthorized", "garmin-client-id is not this server's consumer key");
  if (config.GARMIN_WEBHOOK_SECRET && !sameSecret(delivery.headers.get(GARMIN_SECRET_HEADER) ?? "", config.GARMIN_WEBHOOK_SECRET)) {
    throw new AppError("unauthorized", `${GARMIN_SECRET_HEADER} does not match GARMIN_WEBHOOK_SECRET`);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(delivery.raw).toString("utf8"));
  } catch {
    throw new AppError("invalid_json", "Request body is not valid JSON");
  }
  const parsed = garminPayloadSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("validation_failed", `Not a Garmin notification: ${issue?.path.join(".") || "body"}: ${issue?.message}`);
  }
  const wanted = new Set<string>([...garminListsFor[endpoint], "deregistrations"]);
  const lists = Object.entries(parsed.data);
  const entries = lists.filter(([list]) => wanted.has(list)).flatMap(([list, items]) => items.map((entry) => ({ list, entry })));
  const ignored = lists.filter(([list]) => !wanted.has(list)).reduce((sum, [, items]) => sum + items.length, 0);
  if (entries.length === 0) {
    throw new AppError("validation_failed", `No ${[...wanted].join(", ")} entries in this notification`, { details: { ignored } });
  }
  const digest = garminTokenDigester(config.BACKPLANE_SECRET);
  return asService(db, "training: garmin webhook intake", async (tx) => {
    const connections = await findActiveConnections(tx, "garmin", [...new Set(entries.map(({ entry }) => entry.userId))]);
    const verified = entries.filter(({ list, entry }) => refusal(entry, list, connections.get(entry.userId), config, digest) === null);
    const rejected = entries.length - verified.length;
    if (verified.length === 0)
      throw new AppError("forbidden", "No entry of this notification is for a Garmin user connected here", { details: { rejected } });
    let accepted = 0;
    let duplicates = 0;
    for (const { list, entry } of verified) {
      const single = JSON.stringify({ [list]: [entry] });
      const received = await receiveWebhookEvent(
        tx,
        jobs,
        {
          orgId: null,
          source: "garmin",
          externalId: externalIdOf(list, entry, single),
          contentType: "application/json",
          headers: delivery.headers,
          body: Buffer.from(single),
        },
        activityProcessingJob,
        (eventId) => ({ eventId }),
      );
      if (received.duplicate) duplicates++;
      else accepted++;
    }
    return { accepted, duplicates, rejected, ignored };
  });
}
