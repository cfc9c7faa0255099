import { z } from "@hono/zod-openapi";
import type { AppRouter } from "../../../../platform/http/app-env.ts";
import { defineRoute, documentRoute, errorResponse } from "../../../../platform/http/define-route.ts";
import type { GarminEndpoint } from "../../providers/garmin-payload.ts";
import { acceptGarminDelivery, GARMIN_SECRET_HEADER } from "../garmin-intake.ts";

export const GARMIN_WEBHOOK_PREFIX = "/webhooks/garmin/";
/** Garmin asks partners to take large pushes (10 MB; activity details far more, not taken here). */
export const GARMIN_BODY_LIMIT = 10 * 1024 * 1024;
/** Summaries per list in one delivery: far above what Garmin batches, a bound on the work one request can ask for. */
const GARMIN_MAX_ENTRIES = 10_000;

const entry = z
  .object({
    userId: z.string(),
    userAccessToken: z.string().optional(),
    summaryId: z.string().optional(),
    callbackURL: z.string().optional(),
  })
  .passthrough();

const examples: Record<GarminEndpoint, unknown> = {
  activities: {
    activities: [
      {
        userId: "4aacafe82427c251df9c9592d0c06768",
        userAccessToken: "8f57a6f1-26ba-4b05-a7cd-c6b525a4c7a2",
        summaryId: "5001968355",
        activityId: 5001968355,
        activityType: "RUNNING",
        startTimeInSeconds: 1452470400,
        startTimeOffsetInSeconds: 0,
        durationInSeconds: 3600,
        distanceInMeters: 10000,
        averageHeartRateInBeatsPerMinute: 148,
        maxHeartRateInBeatsPerMinute: 176,
      },
    ],
  },
  dailies: {
    dailies: [
      {
        userId: "4aacafe82427c251df9c9592d0c06768",
        userAccessToken: "8f57a6f1-26ba-4b05-a7cd-c6b525a4c7a2",
        summaryId: "sd3836f3-5f8f8f00-15180-6",
        calendarDate: "2016-01-11",
        restingHeartRateInBeatsPerMinute: 52,
        averageStressLevel: 37,
      },
    ],
  },
};

const routeFor = (endpoint: GarminEndpoint) =>
  defineRoute({
    method: "post",
    path: `/webhooks/garmin/${endpoint}`,
    operationId: endpoint === "activities" ? "garminActivitiesWebhook" : "garminDailiesWebhook",
    security: [],
    tags: ["training"],
    summary:
      endpoint === "activities"
        ? "Garmin activity summaries (push, or ping with callbackURL): each verified summary stored and queued before the 200"
        : "Garmin dailies, sleeps and HRV summaries (push or ping): each verified summary stored and queued before the 200",
    description: `Garmin does not sign notifications. Checked instead: the \`garmin-client-id\` header equals GARMIN_CLIENT_ID; the \`${GARMIN_SECRET_HEADER}\` header when GARMIN_WEBHOOK_SECRET is set; each entry's userId is a connected Garmin user whose userAccessToken (push) matches the stored mapping; a ping's callbackURL is on GARMIN_API_URL. Idempotent by summaryId. docs/training.md.`,
    request: {
      headers: z.object({ "garmin-client-id": z.string().openapi({ example: "3f2c0a9e-consumer-key" }) }),
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.record(z.string(), z.array(entry).max(GARMIN_MAX_ENTRIES)).openapi({ example: examples[endpoint] }),
          },
        },
      },
    },
    responses: {
      200: {
        description: "What was done with the entries",
        content: {
          "application/json": {
            schema: z
              .object({ accepted: z.number().int(), duplicates: z.number().int(), rejected: z.number().int(), ignored: z.number().int() })
              .openapi("GarminDeliveryReceived", { example: { accepted: 1, duplicates: 0, rejected: 0, ignored: 0 } }),
          },
        },
      },
      401: errorResponse("garmin-client-id (or the shared secret header) does not match"),
      403: errorResponse("No entry is for a connected Garmin user with a matching token: nothing stored"),
    },
  });

export const garminActivitiesRoute = routeFor("activities");
export const garminDailiesRoute = routeFor("dailies");

export function registerGarminWebhooks(app: AppRouter): void {
  for (const [endpoint, route] of [
    ["activities", garminActivitiesRoute],
    ["dailies", garminDailiesRoute],
  ] as const) {
    app.post(route.getRoutingPath(), async (c) => {
      const { db, jobs, config } = c.get("services");
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const result = await acceptGarminDelivery(db, jobs, config, endpoint, {
        raw,
        contentType: "application/json",
        headers: c.req.raw.headers,
      });
      return c.json(result, 200);
    });
    documentRoute(app, route);
  }
}
