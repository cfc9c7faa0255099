import { recordAuditEvent } from "../../audit/record-audit-event.ts";
import type { AppRouter } from "../../http/app-env.ts";
import { clientIpOf } from "../../http/client-ip.ts";
import { defineRoute, errorResponse } from "../../http/define-route.ts";
import { asService } from "../../tenancy/with-tenant.ts";
import { authenticateUser } from "../authenticate-user.ts";
import { enforceSameOrigin } from "../csrf.ts";
import { loggedOutSchema, logoutQuerySchema } from "../schemas.ts";
import { clearSessionCookie } from "../session-cookie.ts";
import { endSessions } from "../sessions.ts";

export const logoutRoute = defineRoute({
  method: "post",
  path: "/api/auth/logout",
  operationId: "endSession",
  tags: ["auth"],
  summary: "End this session (?all=true: every session of the user) and clear the cookie",
  security: [{ SessionCookie: [] }, { BearerAuth: [] }, {}],
  request: { query: logoutQuerySchema },
  responses: {
    200: { description: "Signed out (also when no session was signed in)", content: { "application/json": { schema: loggedOutSchema } } },
    403: errorResponse("Cookie-authenticated request from another site (CSRF)"),
  },
});

export function registerLogout(app: AppRouter): void {
  app.openapi(logoutRoute, async (c) => {
    const all = c.req.valid("query").all === "true";
    const services = c.get("services");
    const auth = await authenticateUser(c);
    let endedSessions = 0;
    if (auth.ok) {
      if (auth.principal.user?.via === "cookie") enforceSameOrigin(c);
      const user = auth.live.user;
      const sessionId = auth.live.session.id;
      endedSessions = await asService(services.db, "identity: logout", async (tx) => {
        const ended = await endSessions(tx, { sessionId, userId: user.id, all });
        await recordAuditEvent(tx, {
          actor: { type: "user", id: user.id },
          requestId: c.get("requestId"),
          clientIp: clientIpOf(c, services.config.TRUST_PROXY_HOPS),
          orgId: null,
          action: all ? "session.ended_all" : "session.ended",
          target: { type: "session", id: sessionId },
          metadata: { endedSessions: ended },
        });
        return ended;
      });
    }
    clearSessionCookie(c);
    return c.json({ ok: true as const, endedSessions }, 200);
  });
}
