/**
 * SQL for a login role that can read, and only read, the given schemas: CONNECT on the
 * database, USAGE on each schema, SELECT on its tables now and (default privileges) on
 * tables created later by `owner`, and read-only transactions by default as a second guard.
 * Idempotent: an existing role keeps its password unless one is given to reset it.
 */
export interface ReadonlyRoleOptions {
  role: string;
  schemas: readonly string[];
  /** Set on creation (and on an existing role when `resetPassword`). */
  password: string;
  resetPassword?: boolean;
  /** The role that creates tables (runs migrations): default privileges are recorded for it. */
  owner: string;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string, what: string): void {
  if (!identifier.test(name)) throw new Error(`${what} must be a lowercase SQL identifier (got "${name}")`);
}

export function readonlyRoleSql(options: ReadonlyRoleOptions): string {
  const { role, password, owner } = options;
  assertIdentifier(role, "role");
  assertIdentifier(owner, "owner");
  for (const schema of options.schemas) assertIdentifier(schema, "schema");
  if (!/^[A-Za-z0-9]{16,128}$/.test(password)) throw new Error("password must be 16–128 letters and digits");

  const lines = [
    `-- Read-only role "${role}" for: ${options.schemas.join(", ")}`,
    "DO $$",
    "BEGIN",
    `  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN`,
    `    CREATE ROLE "${role}" LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;`,
    ...(options.resetPassword ? ["  ELSE", `    ALTER ROLE "${role}" PASSWORD '${password}';`] : []),
    "  END IF;",
    "END $$;",
    `ALTER ROLE "${role}" SET default_transaction_read_only = on;`,
    `DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO "${role}"', current_database()); END $$;`,
  ];
  for (const schema of options.schemas) {
    lines.push(
      `GRANT USAGE ON SCHEMA "${schema}" TO "${role}";`,
      `GRANT SELECT ON ALL TABLES IN SCHEMA "${schema}" TO "${role}";`,
      `ALTER DEFAULT PRIVILEGES FOR ROLE "${owner}" IN SCHEMA "${schema}" GRANT SELECT ON TABLES TO "${role}";`,
    );
  }
  return `${lines.join("\n")}\n`;
}
