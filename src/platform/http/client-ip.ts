import { isIP } from "node:net";
import type { Context } from "hono";
import type { AppEnv } from "./app-env.ts";

interface NodeBindings {
  incoming?: { socket?: { remoteAddress?: string } };
}

/**
 * The caller's IP address, or null when it cannot be known (e.g. `app.request()` in tests).
 * With `trustedProxyHops` > 0 the address comes from X-Forwarded-For: the entry that many
 * places from the right is the one the outermost trusted proxy saw; entries further left are
 * whatever the client claimed and are ignored.
 */
export function clientIpOf(c: Context<AppEnv>, trustedProxyHops: number): string | null {
  if (trustedProxyHops > 0) {
    const forwarded = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    const chosen = forwarded[Math.max(0, forwarded.length - trustedProxyHops)];
    if (chosen && isIP(chosen)) return chosen;
  }
  const address = (c.env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress;
  if (!address) return null;
  // IPv4 clients on a dual-stack socket appear as ::ffff:1.2.3.4.
  const plain = address.startsWith("::ffff:") ? address.slice(7) : address;
  return isIP(plain) ? plain : null;
}
