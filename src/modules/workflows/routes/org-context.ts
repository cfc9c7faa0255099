import type { Context } from "hono";
import { principalOf, requireOrg } from "../../../platform/auth/require-org.ts";
import type { AppEnv } from "../../../platform/http/app-env.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { asService } from "../../../platform/tenancy/with-tenant.ts";

/** For collections and creation: the org named (checked) or the caller's own; a platform-wide caller must name one. */
export function orgForCollection(c: Context<AppEnv>, named: string | undefined): string {
  const principal = principalOf(c);
  if (named !== undefined) {
    requireOrg(c, named);
    return named;
  }
  if (principal.orgId === null) {
    throw new AppError("validation_failed", "orgId: a platform-wide key must name the org", {
      details: [{ field: "orgId", message: "required for a platform-wide key" }],
    });
  }
  return principal.orgId;
}

/**
 * For one object by id: an org-bound caller's own org; for a platform-wide caller, the object's
 * org, looked up in a service transaction. Another org's object is the same 404 as a missing one.
 */
export async function orgForObject(c: Context<AppEnv>, table: "workflows" | "runs", id: string, what: string): Promise<string> {
  const principal = principalOf(c);
  if (principal.orgId !== null) return principal.orgId;
  const [row] = await asService(c.get("services").db, `platform-wide ${what} lookup`, (tx) =>
    tx.query<{ org_id: string }>(`SELECT org_id FROM workflows.${table} WHERE id = $1`, [id]),
  );
  if (!row) throw new AppError("not_found", `No ${what} ${id}`);
  return row.org_id;
}
