/** Identity lifetimes (docs/identity.md). Fixed here rather than configurable: they are the seed's. */
export const SESSION_IDLE_SECONDS = 30 * 24 * 3600;
export const SESSION_ABSOLUTE_SECONDS = 90 * 24 * 3600;
/** A session's last_seen_at (and sliding expiry) is written at most this often. */
export const SESSION_TOUCH_SECONDS = 3600;
export const ACCESS_TOKEN_SECONDS = 15 * 60;
/** Wrong codes allowed per sign-in code; the last one voids it. */
export const OTP_MAX_ATTEMPTS = 3;

export function clockOf(services: { clock?: () => Date }): Date {
  return services.clock?.() ?? new Date();
}

/** Emails are compared and stored lower-cased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The tenant context of a signed-in user's own rows (row-level security on `app.user_id`). */
export function userTenant(principal: { kind: string; id: string }): { orgId: null; userId: string; principal: string } {
  if (principal.kind !== "user") throw new Error(`userTenant needs a user principal, got ${principal.kind}`);
  return { orgId: null, userId: principal.id, principal: `user:${principal.id}` };
}
