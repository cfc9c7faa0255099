export interface Org {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
}

export interface OrgRow {
  id: string;
  name: string;
  slug: string;
  created_at: Date | string;
}

export const orgColumns = "id, name, slug, created_at";

export function toOrg(row: OrgRow): Org {
  return { id: row.id, name: row.name, slug: row.slug, createdAt: new Date(row.created_at).toISOString() };
}
