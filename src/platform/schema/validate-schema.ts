import type { Catalog } from "../catalog.ts";
import type { Sql } from "../db/database.ts";
import type { MigrationFile } from "../migrations/read-migrations.ts";
import type { TableDeclaration } from "../module.ts";
import { infraSchemas } from "../platform-declarations.ts";
import { APP_ROLE } from "../tenancy/with-tenant.ts";

/** One thing wrong with the live database, as `backplane db:validate` prints it. */
export interface SchemaProblem {
  /** Which rule: table, column, rls, policy, undeclared, append-only, migration, role. */
  check: string;
  /** What it is about: `biomech.sessions`, `biomech.sessions.org_id`, `platform/0005_…`, `backplane_app`. */
  object: string;
  message: string;
}

export interface SchemaReport {
  ok: boolean;
  problems: SchemaProblem[];
  checked: { tables: number; columns: number; tenantTables: number; migrations: number };
}

interface ColumnRow {
  schema: string;
  table: string;
  column: string;
  type: string;
}
interface TableRow {
  schema: string;
  table: string;
  rls: boolean;
  forced: boolean;
}
interface PolicyRow {
  schema: string;
  table: string;
  name: string;
  command: string;
  permissive: boolean;
  using: string | null;
  check: string | null;
}

const commands = { r: "SELECT", a: "INSERT", w: "UPDATE", d: "DELETE" } as const;

// One query per catalog: the whole check is a handful of round trips, whatever the schema size.
const tablesSql = `
SELECT n.nspname AS schema, c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND NOT c.relispartition`;
const columnsSql = `
SELECT n.nspname AS schema, c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`;
const policiesSql = `
SELECT n.nspname AS schema, c.relname AS table, p.polname AS name, p.polcmd::text AS command, p.polpermissive AS permissive,
  pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS check
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY($1::text[])`;
const roleSql = `
SELECT r.rolcanlogin AS login, r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
  (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) AS connecting_bypasses,
  pg_has_role(session_user, r.oid, 'MEMBER') AS member
FROM pg_roles r WHERE r.rolname = $1`;

/** `timestamp with time zone` matches `timestamp(3) with time zone`; a declared modifier must match exactly. */
function typeMatches(declared: string, actual: string): boolean {
  if (declared === actual) return true;
  return !declared.includes("(") && actual.replace(/\(\d+(,\d+)?\)/, "") === declared;
}

function tenantColumnOf(table: TableDeclaration): string | null {
  if (table.class === "global") return null;
  return table.tenantColumn ?? (table.class === "org" ? "org_id" : "user_id");
}

/**
 * Checks the live database against what the platform and the modules declare (seed 002 §8):
 * declared tables and columns exist with their types; tenant tables have row-level security
 * enabled and forced with a policy per command keyed on the tenant setting; no table in a
 * platform or module schema is undeclared; append-only tables refuse UPDATE and DELETE to the
 * app role; applied migrations match their files; the app role is what withTenant needs.
 */
export async function validateSchema(db: Sql, input: { catalog: Catalog; migrations: MigrationFile[] }): Promise<SchemaReport> {
  const { catalog } = input;
  const problems: SchemaProblem[] = [];
  const problem = (check: string, object: string, message: string) => problems.push({ check, object, message });
  const schemas = catalog.schemas;

  const [tables, columns, policies] = await Promise.all([
    db.query<TableRow>(tablesSql, [schemas]),
    db.query<ColumnRow>(columnsSql, [schemas]),
    db.query<PolicyRow>(policiesSql, [schemas]),
  ]);
  const liveTables = new Map(tables.map((row) => [`${row.schema}.${row.table}`, row]));
  const liveColumns = new Map<string, Map<string, string>>();
  for (const row of columns) {
    const name = `${row.schema}.${row.table}`;
    if (!liveColumns.has(name)) liveColumns.set(name, new Map());
    liveColumns.get(name)?.set(row.column, row.type);
  }
  const declared = new Set(catalog.tables.map((table) => table.name));
  let columnCount = 0;
  let tenantCount = 0;

  for (const table of catalog.tables) {
    const live = liveTables.get(table.name);
    if (!live) {
      problem("table", table.name, `declared by module ${table.module} (${table.class}) but missing from the database`);
      continue;
    }
    const cols = liveColumns.get(table.name) ?? new Map<string, string>();
    for (const [column, type] of Object.entries(table.columns)) {
      columnCount++;
      const actual = cols.get(column);
      if (actual === undefined) problem("column", `${table.name}.${column}`, `declared as ${type} but missing`);
      else if (!typeMatches(type, actual)) problem("column", `${table.name}.${column}`, `declared as ${type} but is ${actual}`);
    }
    const tenantColumn = tenantColumnOf(table);
    if (tenantColumn === null) continue;
    tenantCount++;
    const setting = table.class === "org" ? "app.org_id" : "app.user_id";
    if (!cols.has(tenantColumn)) problem("column", `${table.name}.${tenantColumn}`, `a ${table.class}-owned table needs its tenant column`);
    if (!live.rls)
      problem("rls", table.name, `${table.class}-owned table without row-level security (ALTER TABLE … ENABLE ROW LEVEL SECURITY)`);
    if (!live.forced)
      problem(
        "rls",
        table.name,
        `${table.class}-owned table whose row-level security is not forced (ALTER TABLE … FORCE ROW LEVEL SECURITY)`,
      );
    const own = policies.filter((policy) => `${policy.schema}.${policy.table}` === table.name && policy.permissive);
    for (const [code, command] of Object.entries(commands)) {
      // An append-only table needs no UPDATE/DELETE policy: the app role holds neither privilege (checked below).
      if (table.appendOnly && (code === "w" || code === "d")) continue;
      const covering = own.filter((policy) => policy.command === code || policy.command === "*");
      if (covering.length === 0) {
        problem("policy", table.name, `no ${command} policy`);
        continue;
      }
      for (const policy of covering) {
        const expressions = [policy.using, policy.check].filter((expression): expression is string => expression !== null);
        if (!expressions.every((expression) => expression.includes(`'${setting}'`))) {
          problem("policy", `${table.name} ${policy.name}`, `${command} policy is not keyed on ${setting} (see docs/platform.md, Tenancy)`);
        }
      }
    }
  }

  for (const name of [...liveTables.keys()].sort()) {
    if (!declared.has(name) && !((name.split(".")[0] as string) in infraSchemas)) {
      problem("undeclared", name, "table in a platform or module schema that no module declares (add it to the module's `tables`)");
    }
  }

  const appendOnly = catalog.tables.filter((table) => table.appendOnly && liveTables.has(table.name));
  for (const table of appendOnly) {
    const [row] = await db.query<{ update: boolean; delete: boolean; truncate: boolean }>(
      `SELECT has_table_privilege($1, $2, 'UPDATE') AS update, has_table_privilege($1, $2, 'DELETE') AS delete,
              has_table_privilege($1, $2, 'TRUNCATE') AS truncate`,
      [APP_ROLE, table.name],
    );
    for (const privilege of ["update", "delete", "truncate"] as const) {
      if (row?.[privilege])
        problem("append-only", table.name, `the app role ${APP_ROLE} may ${privilege.toUpperCase()} an append-only table`);
    }
  }

  await checkMigrations(db, input.migrations, problem);
  await checkRole(db, problem);

  return {
    ok: problems.length === 0,
    problems,
    checked: { tables: catalog.tables.length, columns: columnCount, tenantTables: tenantCount, migrations: input.migrations.length },
  };
}

async function checkMigrations(db: Sql, files: MigrationFile[], problem: (check: string, object: string, message: string) => void) {
  const applied = await db.query<{ module: string; version: number; name: string; checksum: string }>(
    "SELECT module, version, name, checksum FROM backplane.migrations",
  );
  const byKey = new Map(applied.map((row) => [`${row.module}/${row.version}`, row]));
  const modules = new Set(files.map((file) => file.module));
  const fileKeys = new Set<string>();
  for (const file of files) {
    const key = `${file.module}/${file.version}`;
    fileKeys.add(key);
    const row = byKey.get(key);
    if (!row) problem("migration", `${file.module}/${file.name}`, "not applied (run `backplane migrate`)");
    else if (row.checksum !== file.checksum) problem("migration", `${file.module}/${file.name}`, "the file changed after it was applied");
  }
  for (const row of applied) {
    if (modules.has(row.module) && !fileKeys.has(`${row.module}/${row.version}`)) {
      problem("migration", `${row.module}/${row.name}`, "applied, but its file is gone");
    }
  }
}

async function checkRole(db: Sql, problem: (check: string, object: string, message: string) => void) {
  const [role] = await db.query<{ login: boolean; superuser: boolean; bypassrls: boolean; connecting_bypasses: boolean; member: boolean }>(
    roleSql,
    [APP_ROLE],
  );
  if (!role) return problem("role", APP_ROLE, "missing (migration platform/0004 creates it)");
  if (role.login) problem("role", APP_ROLE, "must be NOLOGIN");
  if (role.superuser || role.bypassrls)
    problem("role", APP_ROLE, "must not be a superuser or BYPASSRLS: row-level security would not apply");
  if (!role.member) problem("role", APP_ROLE, "the connecting role cannot SET ROLE to it (GRANT backplane_app TO <connecting role>)");
  if (!role.connecting_bypasses) {
    problem("role", "current_user", "the connecting role must be a superuser or BYPASSRLS for service work (asService) across orgs");
  }
}
