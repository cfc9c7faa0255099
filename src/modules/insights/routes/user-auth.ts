import type { Context } from "hono";
import { requireAuth } from "../../../platform/auth/require-auth.ts";
import { principalOf } from "../../../platform/auth/require-org.ts";
import type { Database, Sql } from "../../../platform/db/database.ts";
import type { AppEnv } from "../../../platform/http/app-env.ts";
import { userTenant } from "../../../platform/identity/identity-settings.ts";
import { withTenant } from "../../../platform/tenancy/with-tenant.ts";

/** Every Floyo route is a signed-in user's: the session cookie (same-origin for writes) or a bearer access token. */
export const userSecurity: Record<string, string[]>[] = [{ SessionCookie: [] }, { BearerAuth: [] }];
export const signedInUser = requireAuth({ scopes: [], principals: ["user"] });

/** Runs `fn` in the caller's own tenant context (row-level security on app.user_id) with their id. */
export function asCaller<T>(c: Context<AppEnv>, fn: (tx: Sql, userId: string, db: Database) => Promise<T>): Promise<T> {
  const principal = principalOf(c);
  const { db } = c.get("services");
  return withTenant(db, userTenant(principal), (tx) => fn(tx, principal.id, db));
}
