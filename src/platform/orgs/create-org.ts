import { type AuditSource, recordAuditEvent } from "../audit/record-audit-event.ts";
import type { Sql } from "../db/database.ts";
import { AppError } from "../http/errors.ts";
import { newId } from "../ids.ts";
import { type Org, type OrgRow, orgColumns, toOrg } from "./org-record.ts";

export function slugify(name: string): string {
  return (
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60)
      .replace(/-+$/g, "") || "org"
  );
}

/**
 * Creates an org. The slug comes from the name unless given; a taken slug is a 409. With `audit`,
 * an `org.created` row is written in `db`'s transaction (the CLI and the admin console pass it).
 */
export async function createOrg(db: Sql, input: { name: string; slug?: string; id?: string; audit?: AuditSource }): Promise<Org> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 200) throw new AppError("validation_failed", "name must be 1–200 characters");
  const slug = input.slug ?? slugify(name);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug) || slug.length > 100) {
    throw new AppError("validation_failed", "slug must be 1–100 lowercase letters, digits and single dashes (e.g. acme-eu)");
  }
  const rows = await db.query<OrgRow>(
    `INSERT INTO backplane.orgs (id, name, slug) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING RETURNING ${orgColumns}`,
    [input.id ?? newId("org"), name, slug],
  );
  const row = rows[0];
  if (!row) throw new AppError("conflict", `An org with the slug "${slug}" already exists`, { details: { slug } });
  const org = toOrg(row);
  if (input.audit) {
    await recordAuditEvent(db, {
      ...input.audit,
      orgId: org.id,
      action: "org.created",
      target: { type: "org", id: org.id },
      metadata: { name: org.name, slug: org.slug },
    });
  }
  return org;
}

export async function findOrg(db: Sql, id: string): Promise<Org | null> {
  const rows = await db.query<OrgRow>(`SELECT ${orgColumns} FROM backplane.orgs WHERE id = $1`, [id]);
  return rows[0] ? toOrg(rows[0]) : null;
}
