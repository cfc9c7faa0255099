import { z } from "zod";
import type { Config } from "../../../platform/config/config.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { VendorError, vendorJson } from "./vendor-http.ts";

/** What Strava's POST /oauth/token answers (authorization_code and refresh_token grants). */
export const stravaTokenSchema = z.object({
  token_type: z.string(),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  /** Epoch seconds. */
  expires_at: z.number().int(),
  expires_in: z.number().int().optional(),
  /** Only on the authorization_code grant: the athlete who consented. */
  athlete: z.object({ id: z.number().int() }).passthrough().optional(),
});
export type StravaToken = z.infer<typeof stravaTokenSchema>;

/** The fields of Strava's DetailedActivity (GET /activities/{id}) the pipeline reads. */
export const stravaActivitySchema = z
  .object({
    id: z.number().int(),
    name: z.string().nullish(),
    /** Legacy type ("Run", "Ride", "Swim", …); sport_type is the newer, finer one ("TrailRun", "GravelRide", …). */
    type: z.string().nullish(),
    sport_type: z.string().nullish(),
    /** ISO 8601, UTC. */
    start_date: z.string(),
    elapsed_time: z.number().int().nonnegative(),
    moving_time: z.number().int().nonnegative().nullish(),
    /** Meters. */
    distance: z.number().nonnegative().nullish(),
    has_heartrate: z.boolean().nullish(),
    average_heartrate: z.number().nullish(),
    max_heartrate: z.number().nullish(),
    /** 1–10 when the athlete set it. */
    perceived_exertion: z.number().nullish(),
    athlete: z.object({ id: z.number().int() }).passthrough(),
  })
  .passthrough();
export type StravaActivity = z.infer<typeof stravaActivitySchema>;

/** Strava's 15-minute limit resets at 0, 15, 30 and 45 past the hour (its rate-limits page): wait for that when no Retry-After. */
export function secondsToNextQuarterHour(now = new Date()): number {
  const elapsed = (now.getUTCMinutes() % 15) * 60 + now.getUTCSeconds();
  return 15 * 60 - elapsed;
}

function stravaCredentials(config: Config): { clientId: string; clientSecret: string } {
  if (!config.STRAVA_CLIENT_ID || !config.STRAVA_CLIENT_SECRET) {
    throw new AppError("service_unavailable", "Strava is not configured here (STRAVA_CLIENT_ID, STRAVA_CLIENT_SECRET)");
  }
  return { clientId: config.STRAVA_CLIENT_ID, clientSecret: config.STRAVA_CLIENT_SECRET };
}

const parsed = <T>(schema: z.ZodType<T>, value: unknown, what: string): T => {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new VendorError("strava", 200, `Strava ${what} did not have the expected shape: ${result.error.issues[0]?.message}`);
  return result.data;
};

export function stravaClient(config: Config) {
  const timeoutMs = config.OUTBOUND_TIMEOUT_MS;
  const oauth = config.STRAVA_OAUTH_URL.replace(/\/$/, "");
  const api = config.STRAVA_API_URL.replace(/\/$/, "");
  const token = async (form: Record<string, string>) =>
    parsed(
      stravaTokenSchema,
      await vendorJson({ vendor: "strava", method: "POST", url: `${oauth}/token`, form, timeoutMs }),
      "token answer",
    );
  return {
    /** Where the user consents (activity:read_all: private activities too, and their delete events). */
    authorizeUrl(state: string): string {
      const { clientId } = stravaCredentials(config);
      if (!config.STRAVA_REDIRECT_URI) throw new AppError("service_unavailable", "Strava is not configured here (STRAVA_REDIRECT_URI)");
      const url = new URL(`${oauth}/authorize`);
      url.search = new URLSearchParams({
        client_id: clientId,
        redirect_uri: config.STRAVA_REDIRECT_URI,
        response_type: "code",
        approval_prompt: "auto",
        scope: "read,activity:read_all",
        state,
      }).toString();
      return url.toString();
    },
    exchangeCode(code: string): Promise<StravaToken> {
      const { clientId, clientSecret } = stravaCredentials(config);
      return token({ client_id: clientId, client_secret: clientSecret, code, grant_type: "authorization_code" });
    },
    refresh(refreshToken: string): Promise<StravaToken> {
      const { clientId, clientSecret } = stravaCredentials(config);
      return token({ client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken, grant_type: "refresh_token" });
    },
    async activity(accessToken: string, id: string, signal?: AbortSignal): Promise<StravaActivity> {
      const body = await vendorJson({
        vendor: "strava",
        method: "GET",
        url: `${api}/activities/${encodeURIComponent(id)}?include_all_efforts=false`,
        headers: { authorization: `Bearer ${accessToken}` },
        timeoutMs,
        signal,
        defaultRetryAfter: () => secondsToNextQuarterHour(),
      });
      return parsed(stravaActivitySchema, body, "activity");
    },
  };
}
export type StravaClient = ReturnType<typeof stravaClient>;
