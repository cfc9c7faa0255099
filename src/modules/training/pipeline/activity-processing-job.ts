import { z } from "zod";
import { defineJob } from "../../../platform/jobs/define-job.ts";
import { processWebhookEvent } from "./process-event.ts";

export const PROCESSING_RETRIES = 5;
/** 429s honoured in a row before the event is given up on (then it waits for a replay). */
export const MAX_DEFERRALS = 12;

export const activityProcessingPayload = z.object({
  eventId: z.string(),
  /** How many times a vendor's 429 has pushed this event back (each a new job, due after its Retry-After). */
  deferrals: z.number().int().min(0).max(MAX_DEFERRALS).optional(),
});
export type ActivityProcessingPayload = z.infer<typeof activityProcessingPayload>;

/**
 * The seed's Redis queue `activity-processing` (§2.4), as a job on the platform queue: one stored
 * webhook event (Strava or Garmin) through fetch → normalize → load → save → re-analyse → notify.
 * Every stage is idempotent, so a retry or a replay of the event gives the same rows.
 */
export const activityProcessingJob = defineJob({
  name: "training.activity-processing",
  queue: "default",
  payload: activityProcessingPayload,
  retry: { limit: PROCESSING_RETRIES, maxDelaySeconds: 600 },
  timeoutSeconds: 300,
  handler: (payload, context) => processWebhookEvent(payload, context),
});
