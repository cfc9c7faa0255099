import type { Context } from "hono";

/**
 * The presented key from `X-API-Key`, or `Authorization: Bearer …`. Returns null when
 * neither is present. Header values are never logged (see the logger's redaction).
 */
export function readCredential(c: Context): string | null {
  const header = c.req.header("x-api-key");
  if (header !== undefined && header.trim() !== "") return header.trim();
  const authorization = c.req.header("authorization");
  if (authorization === undefined) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  // Any other Authorization scheme counts as a malformed credential, not a missing one.
  return match?.[1] ?? authorization;
}
