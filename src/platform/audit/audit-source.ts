import type { Context } from "hono";
import { principalOf } from "../auth/require-org.ts";
import type { AppEnv } from "../http/app-env.ts";
import { clientIpOf } from "../http/client-ip.ts";
import type { AuditSource } from "./record-audit-event.ts";

/** Who is asking and from where, for the audit rows a route writes. */
export function auditSourceOf(c: Context<AppEnv>): AuditSource {
  const principal = principalOf(c);
  return {
    actor: { type: principal.kind, id: principal.id },
    requestId: c.get("requestId"),
    clientIp: clientIpOf(c, c.get("services").config.TRUST_PROXY_HOPS),
  };
}
