import type { AppRouter } from "../../http/app-env.ts";
import { defineRoute, errorResponse } from "../../http/define-route.ts";
import { refreshTokens } from "../refresh-session.ts";
import { refreshBodySchema, tokenPairSchema } from "../schemas.ts";

export const refreshTokenRoute = defineRoute({
  method: "post",
  path: "/api/auth/token/refresh",
  operationId: "refreshTokens",
  security: [],
  tags: ["auth"],
  summary: "Exchange a refresh token (once) for a new access token and refresh token",
  request: { body: { required: true, content: { "application/json": { schema: refreshBodySchema } } } },
  responses: {
    200: { description: "The next token pair", content: { "application/json": { schema: tokenPairSchema } } },
    401: errorResponse("Unknown, expired, revoked or already-used refresh token (reuse revokes the whole session)"),
  },
});

export function registerRefreshToken(app: AppRouter): void {
  app.openapi(refreshTokenRoute, async (c) => {
    const { refreshToken } = c.req.valid("json");
    const pair = await refreshTokens(c.get("services"), { refreshToken, requestId: c.get("requestId") });
    c.header("cache-control", "no-store");
    return c.json({ ...pair, tokenType: "Bearer" as const }, 200);
  });
}
