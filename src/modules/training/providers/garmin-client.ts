import type { Config } from "../../../platform/config/config.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { VendorError, vendorJson } from "./vendor-http.ts";

/**
 * The Garmin user a userAccessToken belongs to, from Garmin itself: the Health API's
 * `GET /wellness-api/rest/user/id` (answers `{"userId": "…"}` for the bearer token). A mapping is
 * saved only when this matches the userId claimed, so nobody can map another person's Garmin
 * account (and receive their data) by naming its userId.
 */
export async function garminUserIdOf(config: Config, userAccessToken: string): Promise<string> {
  let answer: { userId?: unknown };
  try {
    answer = await vendorJson<{ userId?: unknown }>({
      vendor: "garmin",
      method: "GET",
      url: new URL("/wellness-api/rest/user/id", config.GARMIN_API_URL).toString(),
      headers: { authorization: `Bearer ${userAccessToken}` },
      timeoutMs: config.OUTBOUND_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof VendorError && (error.status === 401 || error.status === 403)) {
      throw new AppError("forbidden", "Garmin does not accept this userAccessToken");
    }
    throw new AppError("service_unavailable", "Garmin did not answer the user id check; try again", { cause: error });
  }
  if (typeof answer.userId !== "string" || answer.userId === "") {
    throw new AppError("service_unavailable", "Garmin's user id answer named no user");
  }
  return answer.userId;
}
