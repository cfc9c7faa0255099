import type { Principal } from "../auth/principal.ts";
import type { Database, Sql } from "../db/database.ts";

/** The NOLOGIN, NOBYPASSRLS role tenant work runs as (migrations/platform/0004_app_role.sql). */
export const APP_ROLE = "backplane_app";

/** Whose data a transaction may see: row-level security policies read these settings. */
export interface TenantContext {
  /** `app.org_id`: the one org whose rows are visible; null = none. */
  orgId: string | null;
  /** `app.user_id`: the user whose own rows are visible; null = none. */
  userId: string | null;
  /** `app.principal`: who is acting, e.g. `api_key:key_…`, `user:usr_…`, `env_key:BIOMECH_API_KEYS`. */
  principal: string;
}

// Databases whose login role is itself subject to row-level security (the DATABASE_URL_READONLY
// pool): they keep their own role, which has only SELECT, and get the same settings.
const keepsLoginRole = new WeakSet<Database>();

/** Marks `db` as connecting with a non-bypassing role of its own: `withTenant` then does not switch roles. */
export function keepLoginRole<D extends Database>(db: D): D {
  keepsLoginRole.add(db);
  return db;
}

// One round trip. '' rather than NULL for an absent id: a placeholder setting reads back as ''
// once any earlier transaction on the connection set it, so policies treat '' as "none" anyway
// (`nullif(current_setting('app.org_id', true), '')`), and this keeps both cases the same.
const switchRoleAndSet =
  "SELECT set_config('role', $4, true), set_config('app.org_id', $1, true), set_config('app.user_id', $2, true), set_config('app.principal', $3, true)";
const setOnly = "SELECT set_config('app.org_id', $1, true), set_config('app.user_id', $2, true), set_config('app.principal', $3, true)";

/**
 * Runs `fn` in one transaction as the app role with the tenant settings set, all
 * transaction-local (correct behind a transaction-pooling PgBouncer, and on PGlite where the
 * connection is a superuser). Row-level security then hides every other org's rows, the second
 * wall behind the `WHERE org_id = $1` each query still carries.
 */
export function withTenant<T>(db: Database, tenant: TenantContext, fn: (tx: Sql) => Promise<T>): Promise<T> {
  const values = [tenant.orgId ?? "", tenant.userId ?? "", tenant.principal];
  return db.transaction(async (tx) => {
    if (keepsLoginRole.has(db)) await tx.query(setOnly, values);
    else await tx.query(switchRoleAndSet, [...values, APP_ROLE]);
    return fn(tx);
  });
}

/**
 * Cross-tenant work, said out loud: workers, crons, the CLI, migrations, and key verification
 * before the org is known. Runs `fn` in one transaction on the connecting role, which must
 * bypass row-level security (a superuser, or a role with BYPASSRLS: see docs/platform.md,
 * Tenancy); `app.principal` is `service:<reason>` so audit rows and logs name the reason.
 * Grep for `asService(` to find every place that crosses tenants.
 */
export function asService<T>(db: Database, reason: string, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query("SELECT set_config('app.principal', $1, true)", [`service:${reason}`]);
    return fn(tx);
  });
}

/** `api_key:key_…`, `env_key:BIOMECH_API_KEYS`, …: how a principal is named in `app.principal`. */
export function principalName(principal: Pick<Principal, "kind" | "id">): string {
  return `${principal.kind}:${principal.id}`;
}

/** The tenant context of a request by `principal` acting on `orgId` (already checked with `requireOrg`). */
export function tenantOf(principal: Principal, orgId: string): TenantContext {
  return { orgId, userId: null, principal: principalName(principal) };
}

/**
 * For routes a platform-wide principal may also call. A principal bound to an org works in a
 * tenant transaction for that org. A platform-wide principal (an operator key, bound to no org)
 * crosses orgs by definition (its own row, the keys it made, every org's keys), so it works in a
 * service transaction whose reason names it, also when it names one org: the query's own
 * `WHERE org_id = $1` keeps it to that org.
 */
export function withCaller<T>(db: Database, principal: Principal, orgId: string | null, fn: (tx: Sql) => Promise<T>): Promise<T> {
  if (principal.orgId === null) return asService(db, `platform-wide ${principalName(principal)}`, fn);
  if (orgId !== principal.orgId) throw new Error(`principal ${principal.id} is bound to org ${principal.orgId}, not ${orgId}`);
  return withTenant(db, tenantOf(principal, orgId), fn);
}
