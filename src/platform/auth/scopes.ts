import { text } from "../http/text.ts";

/**
 * A scope's shape, `noun:verb`. Which scopes exist is declared by the platform and each module
 * (`scopes` in the module contract, gathered by `catalogOf`), so a new module never edits a
 * platform list; key creation over HTTP and the CLI refuse scopes outside that catalog, so a
 * typo (`biomech:raed`) is refused instead of producing a key that silently cannot do anything.
 */
/** The most scopes one key may hold: more is a mistake, and an unbounded list is a cost. */
export const MAX_SCOPES = 32;

export const scopeSchema = text()
  .max(100)
  .regex(/^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/, "must be a scope (noun:verb)")
  .openapi({ example: "biomech:read" });

export function unknownScopes(scopes: readonly string[], known: readonly string[]): string[] {
  return scopes.filter((scope) => !known.includes(scope));
}
