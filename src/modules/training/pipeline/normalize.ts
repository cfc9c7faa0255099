import type { GarminActivity } from "../providers/garmin-payload.ts";
import type { StravaActivity } from "../providers/strava-client.ts";

export type ActivityType = "run" | "cycle" | "swim";

/** An activity in the seed's schema (§2.2.1 activities), from any vendor. */
export interface NormalizedActivity {
  source: "strava" | "garmin";
  externalId: string;
  type: ActivityType;
  startTime: Date;
  durationSec: number;
  distanceMeters: number | null;
  avgHr: number | null;
  maxHr: number | null;
  rpe: number | null;
}

// Strava sport_type (and legacy type) values, by the seed's three types; others are not tracked.
const stravaTypes: Record<string, ActivityType> = {
  Run: "run",
  TrailRun: "run",
  VirtualRun: "run",
  Ride: "cycle",
  MountainBikeRide: "cycle",
  GravelRide: "cycle",
  EBikeRide: "cycle",
  EMountainBikeRide: "cycle",
  VirtualRide: "cycle",
  Velomobile: "cycle",
  Handcycle: "cycle",
  Swim: "swim",
};

/** Garmin activityType (Activity API appendix): running, cycling and swimming families. */
export function garminType(activityType: string): ActivityType | null {
  const type = activityType.toUpperCase();
  if (/SWIM/.test(type)) return "swim";
  if (/(CYCLING|BIKING|_RIDE$|^RIDE|BMX)/.test(type)) return "cycle";
  if (/(RUNNING|_RUN$|^RUN)/.test(type)) return "run";
  return null;
}

const heartRate = (value: number | null | undefined) => (value != null && value > 0 ? Math.round(value) : null);

/** null when the sport is not one the seed tracks (run, cycle, swim). */
export function normalizeStrava(activity: StravaActivity): NormalizedActivity | null {
  const type = stravaTypes[activity.sport_type ?? ""] ?? stravaTypes[activity.type ?? ""];
  if (!type) return null;
  const rpe = activity.perceived_exertion;
  return {
    source: "strava",
    externalId: String(activity.id),
    type,
    startTime: new Date(activity.start_date),
    durationSec: activity.elapsed_time,
    distanceMeters: activity.distance ?? null,
    avgHr: activity.has_heartrate === false ? null : heartRate(activity.average_heartrate),
    maxHr: activity.has_heartrate === false ? null : heartRate(activity.max_heartrate),
    rpe: rpe != null && rpe >= 1 && rpe <= 10 ? Math.round(rpe) : null,
  };
}

export function normalizeGarmin(activity: GarminActivity): NormalizedActivity | null {
  const type = garminType(activity.activityType);
  if (!type) return null;
  return {
    source: "garmin",
    // activityId is the activity's own id; summaryId names one version of its summary.
    externalId: String(activity.activityId ?? activity.summaryId),
    type,
    startTime: new Date(activity.startTimeInSeconds * 1000),
    durationSec: activity.durationInSeconds,
    distanceMeters: activity.distanceInMeters ?? null,
    avgHr: heartRate(activity.averageHeartRateInBeatsPerMinute),
    maxHr: heartRate(activity.maxHeartRateInBeatsPerMinute),
    rpe: null,
  };
}
