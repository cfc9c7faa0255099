import { z } from "@hono/zod-openapi";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { Database } from "../../../platform/db/database.ts";
import type { AppRouter } from "../../../platform/http/app-env.ts";
import { authErrorResponses, defineRoute } from "../../../platform/http/define-route.ts";
import { userTenant } from "../../../platform/identity/identity-settings.ts";
import { asService, withTenant } from "../../../platform/tenancy/with-tenant.ts";
import { expoPushTokenSchema } from "../providers/schemas.ts";

const userAuth = requireAuth({ scopes: [], principals: ["user"] });
const security: { [name: string]: string[] }[] = [{ SessionCookie: [] }, { BearerAuth: [] }];

export const registerPushDeviceRoute = defineRoute({
  method: "put",
  path: "/api/training/push-devices",
  operationId: "registerPushDevice",
  tags: ["training"],
  summary: "Register this device's Expo push token for the user's notifications (New Run Analyzed)",
  security,
  middleware: [userAuth] as const,
  request: {
    body: {
      required: true,
      content: { "application/json": { schema: z.object({ expoPushToken: expoPushTokenSchema }).openapi("PushDevice") } },
    },
  },
  responses: { 204: { description: "Registered (again: no change)" }, ...authErrorResponses },
});

export const removePushDeviceRoute = defineRoute({
  method: "delete",
  path: "/api/training/push-devices/{expoPushToken}",
  operationId: "removePushDevice",
  tags: ["training"],
  summary: "Stop sending notifications to this Expo push token",
  security,
  middleware: [userAuth] as const,
  request: { params: z.object({ expoPushToken: expoPushTokenSchema }) },
  responses: { 204: { description: "Removed (or was not registered)" }, ...authErrorResponses },
});

/**
 * The token is one app install, so it belongs to the user who registers it last: taken from
 * whoever held it (a phone handed over, or signed in as someone else), in one statement. That
 * crosses users by nature (RLS would hide the other holder), hence the service context.
 */
async function registerPushToken(db: Database, userId: string, expoPushToken: string): Promise<void> {
  await asService(db, "training: push token moves to the user registering it", (tx) =>
    tx.query(
      `INSERT INTO training.push_devices AS d (user_id, expo_push_token) VALUES ($1, $2)
       ON CONFLICT (expo_push_token) DO UPDATE SET user_id = EXCLUDED.user_id, created_at = now()
       WHERE d.user_id <> EXCLUDED.user_id`,
      [userId, expoPushToken],
    ),
  );
}

export function registerPushDeviceRoutes(app: AppRouter): void {
  app.openapi(registerPushDeviceRoute, async (c) => {
    const principal = principalOf(c);
    const { expoPushToken } = c.req.valid("json");
    await registerPushToken(c.get("services").db, principal.id, expoPushToken);
    return c.body(null, 204);
  });
  app.openapi(removePushDeviceRoute, async (c) => {
    const principal = principalOf(c);
    const { expoPushToken } = c.req.valid("param");
    await withTenant(c.get("services").db, userTenant(principal), (tx) =>
      tx.query("DELETE FROM training.push_devices WHERE user_id = $1 AND expo_push_token = $2", [principal.id, expoPushToken]),
    );
    return c.body(null, 204);
  });
}
