import { z } from "@hono/zod-openapi";

/**
 * Every scope a key can carry. A closed list so a typo (`biomech:raed`) is refused at
 * creation instead of producing a key that silently cannot do anything. Modules add theirs here.
 */
export const knownScopes = [
  "keys:manage",
  "biomech:read",
  "workflows:read",
  "workflows:create",
  "logs:read",
  "queue:read",
  "queue:manage",
] as const;

export type Scope = (typeof knownScopes)[number];

export const scopeSchema = z.enum(knownScopes).openapi({ example: "biomech:read" });

export function unknownScopes(scopes: readonly string[]): string[] {
  return scopes.filter((scope) => !(knownScopes as readonly string[]).includes(scope));
}
