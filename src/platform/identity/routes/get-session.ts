import type { AppRouter } from "../../http/app-env.ts";
import { defineRoute } from "../../http/define-route.ts";
import { authenticateUser } from "../authenticate-user.ts";
import { currentSessionSchema } from "../schemas.ts";

export const getSessionRoute = defineRoute({
  method: "get",
  path: "/api/auth/session",
  operationId: "getSession",
  tags: ["auth"],
  summary: "The signed-in user (by session cookie or bearer access token), or null",
  security: [{ SessionCookie: [] }, { BearerAuth: [] }, {}],
  responses: {
    200: { description: "The current user, or { user: null }", content: { "application/json": { schema: currentSessionSchema } } },
  },
});

export function registerGetSession(app: AppRouter): void {
  app.openapi(getSessionRoute, async (c) => {
    const auth = await authenticateUser(c);
    c.header("cache-control", "no-store");
    return c.json({ user: auth.ok ? auth.live.user : null }, 200);
  });
}
