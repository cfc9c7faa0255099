import type { Principal } from "../auth/principal.ts";
import type { Database, Sql } from "../db/database.ts";
import { pipelinedTransaction } from "../db/open-postgres.ts";
import type { Statement } from "../db/statement-batch.ts";
import { prepared } from "../db/statement-names.ts";

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

/**
 * The settings as one statement that answers no rows: `num_nulls` of the `set_config` calls (all
 * evaluated: a function's arguments always are, and volatile ones are never folded away) is never
 * negative. One marked (prepared) text per count. No row and, in a batch, no Describe: nothing
 * echoed back for the driver to parse (it answered the four values as columns).
 */
const settingsStatements = new Map<number, string>();
function settingsStatement(settings: [name: string, value: string][]): Statement {
  let text = settingsStatements.get(settings.length);
  if (!text) {
    const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(", ");
    text = prepared(`SELECT WHERE num_nulls(${calls}) < 0`);
    settingsStatements.set(settings.length, text);
  }
  return { text, params: settings.flat(), noRows: true };
}

/**
 * Runs `fn` in one transaction on `db` after setting `settings` transaction-locally, every value a
 * parameter. Over the network BEGIN and the settings are pipelined with `fn`'s first statement
 * (pipelinedTransaction), so a one-statement tenant transaction costs 2 round trips (that, then
 * COMMIT), and a value the database refuses aborts the transaction before `fn` can run without it.
 */
function inSettings<T>(db: Database, settings: [name: string, value: string][], fn: (tx: Sql) => Promise<T>): Promise<T> {
  const statement = settingsStatement(settings);
  if (db.kind === "postgres") return db.withSession((session) => pipelinedTransaction(session, statement, fn));
  return db.transaction(async (tx) => {
    await tx.query(statement.text, statement.params);
    return fn(tx);
  });
}

/**
 * Runs `fn` in one transaction as the app role with the tenant settings set, all
 * transaction-local (correct behind a transaction-pooling PgBouncer, and on PGlite where the
 * connection is a superuser), in one round trip with BEGIN. Row-level security then hides every
 * other org's rows, the second wall behind the `WHERE org_id = $1` each query still carries.
 * '' rather than NULL for an absent id: a placeholder setting reads back as '' once an earlier
 * transaction on the connection set it, so policies treat '' as "none" anyway
 * (`nullif(current_setting('app.org_id', true), '')`), and this keeps both cases the same.
 */
export function withTenant<T>(db: Database, tenant: TenantContext, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return inSettings(db, tenantSettings(db, tenant), fn);
}

function tenantSettings(db: Database, tenant: TenantContext): [string, string][] {
  const settings: [string, string][] = [
    ["app.org_id", tenant.orgId ?? ""],
    ["app.user_id", tenant.userId ?? ""],
    ["app.principal", tenant.principal],
  ];
  if (!keepsLoginRole.has(db)) settings.unshift(["role", APP_ROLE]);
  return settings;
}

/**
 * The tenant's view of `db` for work of one statement at a time: every `query` runs in its own
 * transaction, its settings included, as one `db.batch` (one round trip on PostgreSQL, every
 * value a parameter), so a one-statement read costs what a plain query does. Like `db` itself,
 * it makes no two statements atomic: work of several statements belongs in `withTenant`.
 */
export function asTenant(db: Database, tenant: TenantContext): Sql {
  return oneStatementAtATime(db, tenantSettings(db, tenant));
}

/** asService's footing for work of one statement at a time, like asTenant (e.g. the key lookup on a cache miss). */
export function asServiceSql(db: Database, reason: string): Sql {
  return oneStatementAtATime(db, serviceSettings(reason));
}

function oneStatementAtATime(db: Database, settings: [name: string, value: string][]): Sql {
  const assign = settingsStatement(settings);
  return {
    async query<Row>(text: string, params: readonly unknown[] = []) {
      const answers = await db.batch([assign, { text, params }]);
      return (answers[1] ?? []) as Row[];
    },
    exec: (text) => inSettings(db, settings, (tx) => tx.exec(text)),
  };
}

/** A SELECT that finds a request's tenant from what it presented (e.g. a credential's digest). */
export interface TenantLookup {
  /** One SELECT with one parameter, `$1`; each row names the tenant in `org_id` and who acts in `principal`. */
  sql: string;
  value: string;
}

/**
 * One transaction that first finds its tenant, then works as it: `lookup` runs as the connecting
 * role (asService's footing, for a row found before any org is known, like a trigger key's) and
 * names the org and principal; the app role and the tenant settings then hold for all `fn` runs,
 * as in withTenant. On a real server the lookup and the settings ride BEGIN's round trip (pipelined,
 * the value a parameter), and the role switches inside the lookup statement, which PostgreSQL has
 * already planned and permission-checked as the connecting role. No row (unknown or inactive): nothing else runs, and the answer is null.
 */
export async function withTenantFoundBy<Row extends { org_id: string; principal: string }, T>(
  db: Database,
  lookup: TenantLookup,
  fn: (tx: Sql, row: Row) => Promise<T>,
): Promise<{ row: Row; result: T } | null> {
  if (lookup.sql.split("$1").length !== 2) throw new Error("a tenant lookup takes exactly one parameter, $1");
  const role = keepsLoginRole.has(db) ? "" : `, set_config('role', '${APP_ROLE}', true)`;
  const settings = (org: string, principal: string) =>
    `set_config('app.org_id', ${org}, true), set_config('app.user_id', '', true), set_config('app.principal', ${principal}, true)${role}`;
  if (db.kind === "postgres") {
    const found = prepared(`SELECT found.*, ${settings("found.org_id", "found.principal")} FROM (${lookup.sql}) AS found`);
    return db.withSession(async (session) => {
      // BEGIN is pipelined with the lookup (one round trip); the lookup's value is a parameter.
      const begun = session.exec("BEGIN").then(
        () => null,
        (error: unknown) => ({ error }),
      );
      try {
        const [row] = await session.query<Row>(found, [lookup.value]);
        const failed = await begun;
        if (failed) throw failed.error;
        if (!row) {
          await session.exec("ROLLBACK");
          return null;
        }
        const result = await fn(session, row);
        await session.exec("COMMIT");
        return { row, result };
      } catch (error) {
        const failed = await begun;
        await session.exec("ROLLBACK").catch(() => {});
        throw failed ? failed.error : error;
      }
    });
  }
  let row: Row | undefined;
  const result = await db.transaction(async (tx) => {
    [row] = await tx.query<Row>(lookup.sql, [lookup.value]);
    if (!row) return null;
    await tx.query(`SELECT ${settings("$1", "$2")}`, [row.org_id, row.principal]);
    return fn(tx, row);
  });
  return row ? { row, result: result as T } : null;
}

/**
 * Cross-tenant work, said out loud: workers, crons, the CLI, migrations, and key verification
 * before the org is known. Runs `fn` in one transaction on the connecting role, which must
 * bypass row-level security (a superuser, or a role with BYPASSRLS: see docs/platform.md,
 * Tenancy); `app.principal` is `service:<reason>` so audit rows and logs name the reason.
 * Grep for `asService` (and `asServiceSql`, its one-statement form) to find every place that crosses tenants.
 */
export function asService<T>(db: Database, reason: string, fn: (tx: Sql) => Promise<T>): Promise<T> {
  return inSettings(db, serviceSettings(reason), fn);
}

function serviceSettings(reason: string): [string, string][] {
  return [["app.principal", `service:${reason}`]];
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
  // Only keys are platform-wide; a user bound to no org must never fall through to the service context.
  if (principal.kind === "user")
    throw new Error(`withCaller takes key principals; user ${principal.id} runs in withTenant with its user id`);
  if (principal.orgId === null) return asService(db, `platform-wide ${principalName(principal)}`, fn);
  if (orgId !== principal.orgId) throw new Error(`principal ${principal.id} is bound to org ${principal.orgId}, not ${orgId}`);
  return withTenant(db, tenantOf(principal, orgId), fn);
}
