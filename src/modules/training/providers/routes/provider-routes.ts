import { z } from "@hono/zod-openapi";
import { auditSourceOf } from "../../../../platform/audit/audit-source.ts";
import { recordAuditEvent } from "../../../../platform/audit/record-audit-event.ts";
import { requireAuth } from "../../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../../platform/auth/require-org.ts";
import type { AppRouter } from "../../../../platform/http/app-env.ts";
import { clientIpOf } from "../../../../platform/http/client-ip.ts";
import { authErrorResponses, defineRoute, errorResponse } from "../../../../platform/http/define-route.ts";
import { AppError } from "../../../../platform/http/errors.ts";
import { clockOf, userTenant } from "../../../../platform/identity/identity-settings.ts";
import { withTenant } from "../../../../platform/tenancy/with-tenant.ts";
import {
  garminTokenDigester,
  heldByAnother,
  listConnections,
  revokeConnection,
  saveGarminConnection,
  saveStravaConnection,
} from "../connections.ts";
import { garminUserIdOf } from "../garmin-client.ts";
import { OAUTH_STATE_SECONDS, oauthStates } from "../oauth-state.ts";
import { connectionListSchema, connectionSchema, providerSchema } from "../schemas.ts";
import { stravaClient } from "../strava-client.ts";
import { tokenKeyRing } from "../token-crypto.ts";
import { VendorError } from "../vendor-http.ts";

const userAuth = requireAuth({ scopes: [], principals: ["user"] });
const security: { [name: string]: string[] }[] = [{ SessionCookie: [] }, { BearerAuth: [] }];
const tags = ["training"];

export const listConnectionsRoute = defineRoute({
  method: "get",
  path: "/api/training/providers",
  operationId: "listProviderConnections",
  tags,
  summary: "The signed-in user's Strava and Garmin connections (never their tokens)",
  security,
  middleware: [userAuth] as const,
  responses: {
    200: { description: "Connections", content: { "application/json": { schema: connectionListSchema } } },
    ...authErrorResponses,
  },
});

export const stravaConnectRoute = defineRoute({
  method: "get",
  path: "/api/training/providers/strava/connect",
  operationId: "stravaConnectUrl",
  tags,
  summary: "Where to send the user to connect Strava (OAuth 2.0 authorization code flow; the link works 10 minutes)",
  security,
  middleware: [userAuth] as const,
  responses: {
    200: {
      description: "The Strava consent URL, with a signed state naming this user",
      content: {
        "application/json": {
          schema: z.object({ authorizeUrl: z.string().url(), expiresAt: z.string().datetime() }).openapi("StravaConnect", {
            example: {
              authorizeUrl:
                "https://www.strava.com/oauth/authorize?client_id=12345&redirect_uri=https%3A%2F%2Fapi.example.com%2Fapi%2Ftraining%2Fproviders%2Fstrava%2Fcallback&response_type=code&approval_prompt=auto&scope=read%2Cactivity%3Aread_all&state=eyJ1IjoidXNyXzAxSkQ3WTJXIn0.k3Xz9QpL",
              expiresAt: "2026-03-10T06:40:00.000Z",
            },
          }),
        },
      },
    },
    ...authErrorResponses,
    503: errorResponse("Strava is not configured on this server", "service_unavailable"),
  },
});

export const stravaCallbackRoute = defineRoute({
  method: "get",
  path: "/api/training/providers/strava/callback",
  operationId: "stravaOAuthCallback",
  security: [],
  tags,
  summary: "Strava's redirect after consent: the code is exchanged and the tokens stored encrypted",
  description: "No credentials: the signed `state` issued by /connect names the user. A declined consent (`error=access_denied`) is a 400.",
  request: {
    query: z.object({
      state: z.string().min(1).max(600).openapi({
        description: "The signed state from /connect",
        example: "eyJ1IjoidXNyXzNrOXgybTdxOHgxYzN2NWI2bjB6In0.Qm9ndXNTaWduYXR1cmU",
      }),
      code: z.string().min(1).max(500).optional().openapi({ example: "2d6e0c1f8a4b4c3e9d7f5a1b3c5e7f9a0b2c4d6e" }),
      scope: z.string().max(500).optional().openapi({ example: "read,activity:read_all" }),
      error: z.string().max(200).optional().openapi({ example: "access_denied" }),
    }),
  },
  responses: {
    200: { description: "Connected", content: { "application/json": { schema: connectionSchema } } },
    401: errorResponse("The state is forged, altered or expired"),
    409: errorResponse("This Strava athlete is connected to another user"),
    503: errorResponse("Strava is not configured, or did not answer", "service_unavailable"),
  },
});

export const garminConnectRoute = defineRoute({
  method: "put",
  path: "/api/training/providers/garmin",
  operationId: "connectGarmin",
  tags,
  summary: "Map the user's Garmin account: its userId and the userAccessToken its push notifications carry",
  description:
    "The token is checked with Garmin first (GET /wellness-api/rest/user/id must name the same userId); then only a keyed digest of it is kept, compared with each notification.",
  security,
  middleware: [userAuth] as const,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.object({ userId: z.string().min(1).max(200), userAccessToken: z.string().min(8).max(500) }).openapi("GarminMapping", {
            example: { userId: "4aacafe82427c251df9c9592d0c06768", userAccessToken: "8f57a6f1-26ba-4b05-a7cd-c6b525a4c7a2" },
          }),
        },
      },
    },
  },
  responses: {
    200: { description: "Connected", content: { "application/json": { schema: connectionSchema } } },
    ...authErrorResponses,
    403: errorResponse("`forbidden`: Garmin does not accept the token, or it belongs to another Garmin userId"),
    409: errorResponse("This Garmin user is connected to another user"),
    503: errorResponse("`service_unavailable`: Garmin did not answer the check"),
  },
});

export const disconnectRoute = defineRoute({
  method: "delete",
  path: "/api/training/providers/{provider}",
  operationId: "disconnectProvider",
  tags,
  summary: "Disconnect Strava or Garmin: tokens are deleted; later webhooks for the account are refused",
  security,
  middleware: [userAuth] as const,
  request: { params: z.object({ provider: providerSchema }) },
  responses: { 204: { description: "Disconnected" }, ...authErrorResponses },
});

export function registerProviderRoutes(app: AppRouter): void {
  app.openapi(listConnectionsRoute, async (c) => {
    const principal = principalOf(c);
    const data = await withTenant(c.get("services").db, userTenant(principal), (tx) => listConnections(tx, principal.id));
    c.header("cache-control", "private, no-store");
    return c.json({ data }, 200);
  });

  app.openapi(stravaConnectRoute, (c) => {
    const services = c.get("services");
    const now = clockOf(services);
    const state = oauthStates(services.config.BACKPLANE_SECRET).issue(principalOf(c).id, "strava", now);
    const authorizeUrl = stravaClient(services.config).authorizeUrl(state);
    c.header("cache-control", "private, no-store");
    return c.json({ authorizeUrl, expiresAt: new Date(now.getTime() + OAUTH_STATE_SECONDS * 1000).toISOString() }, 200);
  });

  app.openapi(stravaCallbackRoute, async (c) => {
    const services = c.get("services");
    const { config, db } = services;
    const query = c.req.valid("query");
    const userId = oauthStates(config.BACKPLANE_SECRET).verify(query.state, "strava", clockOf(services));
    if (userId === null)
      throw new AppError("unauthorized", "The state is not one this server issued, or it expired; start connecting again");
    if (query.error !== undefined || query.code === undefined) {
      throw new AppError("bad_request", `Strava did not grant access (${query.error ?? "no code"})`);
    }
    let token: Awaited<ReturnType<ReturnType<typeof stravaClient>["exchangeCode"]>>;
    try {
      token = await stravaClient(config).exchangeCode(query.code);
    } catch (error) {
      if (error instanceof VendorError && error.status >= 400 && error.status < 500) {
        throw new AppError("bad_request", "Strava refused the authorization code (expired or already used); connect again");
      }
      throw new AppError("service_unavailable", "Strava did not answer the code exchange; try again", { cause: error });
    }
    const athlete = token.athlete;
    if (!athlete) throw new AppError("service_unavailable", "Strava's token answer named no athlete");
    const ring = tokenKeyRing(config.BACKPLANE_SECRET, config.PROVIDER_TOKEN_PREVIOUS_SECRETS);
    const tenant = { orgId: null, userId, principal: `user:${userId}` };
    const connection = await withTenant(db, tenant, async (tx) => {
      const saved = await saveStravaConnection(tx, ring, userId, { ...token, athlete }, query.scope ?? null);
      // No principal on this request (the vendor redirected the browser): the state named the user.
      await recordAuditEvent(tx, {
        actor: { type: "user", id: userId },
        requestId: c.get("requestId"),
        clientIp: clientIpOf(c, config.TRUST_PROXY_HOPS),
        orgId: null,
        action: "training.provider_connected",
        target: { type: "provider_connection", id: `strava:${saved.externalUserId}` },
        metadata: { provider: "strava", scope: saved.scope },
      });
      return saved;
    }).catch((error: unknown) => {
      throw heldByAnother(error, "strava") ?? error;
    });
    c.header("cache-control", "no-store");
    return c.json(connection, 200);
  });

  app.openapi(garminConnectRoute, async (c) => {
    const principal = principalOf(c);
    const { db, config } = c.get("services");
    const body = c.req.valid("json");
    // The token must be Garmin's for that userId (asked of Garmin), not just any pair the caller names.
    if ((await garminUserIdOf(config, body.userAccessToken)) !== body.userId) {
      throw new AppError("forbidden", "This userAccessToken belongs to another Garmin user");
    }
    const digest = garminTokenDigester(config.BACKPLANE_SECRET);
    const connection = await withTenant(db, userTenant(principal), async (tx) => {
      const saved = await saveGarminConnection(tx, digest, principal.id, body.userId, body.userAccessToken);
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId: null,
        action: "training.provider_connected",
        target: { type: "provider_connection", id: `garmin:${saved.externalUserId}` },
        metadata: { provider: "garmin" },
      });
      return saved;
    }).catch((error: unknown) => {
      throw heldByAnother(error, "garmin") ?? error;
    });
    return c.json(connection, 200);
  });

  app.openapi(disconnectRoute, async (c) => {
    const principal = principalOf(c);
    const { provider } = c.req.valid("param");
    await withTenant(c.get("services").db, userTenant(principal), async (tx) => {
      if (!(await revokeConnection(tx, { userId: principal.id, provider }))) return;
      await recordAuditEvent(tx, {
        ...auditSourceOf(c),
        orgId: null,
        action: "training.provider_disconnected",
        target: { type: "provider_connection", id: provider },
        metadata: { provider },
      });
    });
    return c.body(null, 204);
  });
}
