import type { Sql } from "../db/database.ts";
import { type CursorCodec, cursorCodec } from "../http/keyset-cursor.ts";
import { type Org, type OrgRow, orgColumns, toOrg } from "./org-record.ts";

/** Where a page of orgs ended: the last slug (slugs are unique). */
export interface OrgPosition {
  slug: string;
}

/**
 * One page of orgs in slug order, from `from` (inclusive, "jump to") or after a cursor. Keyset
 * on the unique slug index: as fast with 100,000 orgs as with ten, and no count.
 */
export async function listOrgs(
  db: Sql,
  page: { limit: number; after?: OrgPosition | null; from?: string },
): Promise<{ orgs: Org[]; next: OrgPosition | null }> {
  const rows = await db.query<OrgRow>(
    `SELECT ${orgColumns} FROM backplane.orgs
     WHERE ($1::text IS NULL OR slug > $1) AND ($2::text IS NULL OR slug >= $2)
     ORDER BY slug LIMIT $3`,
    [page.after?.slug ?? null, page.from || null, page.limit + 1],
  );
  const kept = rows.slice(0, page.limit);
  const last = kept.at(-1);
  return { orgs: kept.map(toOrg), next: rows.length > page.limit && last ? { slug: last.slug } : null };
}

const isPosition = (value: unknown): value is OrgPosition =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as OrgPosition).slug === "string" &&
  /^[a-z0-9-]{1,100}$/.test((value as OrgPosition).slug);

const codecs = new Map<string, CursorCodec<OrgPosition>>();

/** Signed org-list cursors (see keyset-cursor.ts), bound to the "jump to" filter. */
export function orgCursor(secret: string): CursorCodec<OrgPosition> {
  let codec = codecs.get(secret);
  if (!codec) {
    codec = cursorCodec(secret, "orgs.list", isPosition);
    codecs.set(secret, codec);
  }
  return codec;
}
