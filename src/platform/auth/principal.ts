/** Who is calling: a database key or a static key from the environment. */
export interface Principal {
  kind: "api_key" | "env_key";
  /** `key_…` for database keys; the variable name (e.g. BIOMECH_API_KEYS) for env keys. */
  id: string;
  /** The one org this principal may act on; null = every org (platform-wide keys, env keys). */
  orgId: string | null;
  scopes: readonly string[];
}

export function canAccessOrg(principal: Principal, orgId: string): boolean {
  return principal.orgId === null || principal.orgId === orgId;
}

export function hasScopes(principal: Principal, scopes: readonly string[]): boolean {
  return scopes.every((scope) => principal.scopes.includes(scope));
}
