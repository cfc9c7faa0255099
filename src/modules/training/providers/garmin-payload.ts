import { z } from "zod";

/**
 * Garmin Health / Activity API notifications (Health API spec §4–5, Activity API): a JSON object
 * whose keys name a summary type, each a list. A push entry carries the summary itself plus
 * `userId`, `userAccessToken` and `summaryId`; a ping entry carries `userId` and a `callbackURL`
 * to pull the summaries from; a deregistration entry only the user.
 */
export const garminEntrySchema = z
  .object({
    userId: z.string().min(1).max(200),
    userAccessToken: z.string().min(1).max(500).optional(),
    summaryId: z.string().min(1).max(200).optional(),
    callbackURL: z.string().url().max(4000).optional(),
  })
  .passthrough();
export type GarminEntry = z.infer<typeof garminEntrySchema>;

/** The summary lists each endpoint takes (the seed: activities; dailies with sleep and HRV). */
export const garminListsFor = {
  activities: ["activities", "manuallyUpdatedActivities"],
  dailies: ["dailies", "sleeps", "hrv"],
} as const;
export type GarminEndpoint = keyof typeof garminListsFor;
export type GarminList = (typeof garminListsFor)[GarminEndpoint][number] | "deregistrations";

export const garminPayloadSchema = z.record(z.string(), z.array(garminEntrySchema).max(10_000));

/** An activity summary (push, or one element of a pulled list). */
export const garminActivitySchema = z
  .object({
    userId: z.string(),
    summaryId: z.string(),
    activityId: z.union([z.string(), z.number()]).optional(),
    activityType: z.string(),
    activityName: z.string().nullish(),
    startTimeInSeconds: z.number().int(),
    startTimeOffsetInSeconds: z.number().int().nullish(),
    durationInSeconds: z.number().int().nonnegative(),
    distanceInMeters: z.number().nonnegative().nullish(),
    averageHeartRateInBeatsPerMinute: z.number().nullish(),
    maxHeartRateInBeatsPerMinute: z.number().nullish(),
  })
  .passthrough();
export type GarminActivity = z.infer<typeof garminActivitySchema>;

export const garminDailySchema = z
  .object({
    userId: z.string(),
    summaryId: z.string(),
    calendarDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    restingHeartRateInBeatsPerMinute: z.number().nullish(),
    /** 1–100; -1 when there was not enough data. */
    averageStressLevel: z.number().nullish(),
  })
  .passthrough();

export const garminSleepSchema = z
  .object({
    userId: z.string(),
    summaryId: z.string(),
    calendarDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** Asleep time (excludes awake and unmeasurable). */
    durationInSeconds: z.number().int().nonnegative(),
  })
  .passthrough();

export const garminHrvSchema = z
  .object({
    userId: z.string(),
    summaryId: z.string(),
    calendarDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    /** Overnight average rMSSD, ms. */
    lastNightAvg: z.number().nullish(),
  })
  .passthrough();
