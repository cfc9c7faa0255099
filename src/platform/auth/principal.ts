/** Who is calling: a database key, a static key from the environment, or a signed-in user. */
export interface Principal {
  kind: "api_key" | "env_key" | "user";
  /** `key_…` for database keys; the variable name (e.g. BIOMECH_API_KEYS) for env keys; `usr_…` for users. */
  id: string;
  /** The one org this principal may act on; null = every org (platform-wide keys, env keys). Always null for users: see `user.orgIds`. */
  orgId: string | null;
  scopes: readonly string[];
  /** API keys only: the key's own request limit (null: the deployment default, API_KEY_RATE_LIMIT). */
  rateLimit?: { perSecond: number; burst: number } | null;
  /** Users only: the session behind the request and the orgs the user is a member of. */
  user?: UserPrincipalFacts;
}

export interface UserPrincipalFacts {
  email: string;
  role: string;
  sessionId: string;
  /** `cookie` (browser session, subject to the CSRF check) or `bearer` (mobile access token). */
  via: "cookie" | "bearer";
  orgIds: readonly string[];
}

export function canAccessOrg(principal: Principal, orgId: string): boolean {
  // A user reaches exactly the orgs they are a member of, never "every org".
  if (principal.kind === "user") return principal.user?.orgIds.includes(orgId) ?? false;
  return principal.orgId === null || principal.orgId === orgId;
}

export function hasScopes(principal: Principal, scopes: readonly string[]): boolean {
  return scopes.every((scope) => principal.scopes.includes(scope));
}
