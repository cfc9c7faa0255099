import type { Sql } from "../../../platform/db/database.ts";
import { cursorCodec } from "../../../platform/http/keyset-cursor.ts";
import { newId } from "../../../platform/ids.ts";

export type InsightKind = "pattern" | "performance";

export interface Finding {
  key: string;
  title: string;
  data: Record<string, unknown>;
}

export interface Insight extends Finding {
  id: string;
  kind: InsightKind;
  createdAt: string;
  updatedAt: string;
}

/**
 * Makes the user's findings of `kind` exactly `findings`: new ones are added, ones found again are
 * updated in place (same id, same place in the list), ones that no longer hold are removed.
 */
export async function replaceFindings(tx: Sql, userId: string, kind: InsightKind, findings: readonly Finding[]): Promise<void> {
  if (findings.length > 0) {
    await tx.query(
      `INSERT INTO insights.insights (id, user_id, kind, key, title, data)
       SELECT id, $1, $2, key, title, data::jsonb FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS f(id, key, title, data)
       ON CONFLICT (user_id, key) DO UPDATE SET title = EXCLUDED.title, data = EXCLUDED.data, updated_at = clock_timestamp()`,
      [
        userId,
        kind,
        findings.map(() => newId("ins")),
        findings.map((finding) => finding.key),
        findings.map((finding) => finding.title),
        findings.map((finding) => JSON.stringify(finding.data)),
      ],
    );
  }
  await tx.query("DELETE FROM insights.insights WHERE user_id = $1 AND kind = $2 AND NOT (key = ANY($3::text[]))", [
    userId,
    kind,
    findings.map((finding) => finding.key),
  ]);
}

interface InsightRow {
  seq: string;
  id: string;
  kind: InsightKind;
  key: string;
  title: string;
  data: Record<string, unknown> | string;
  created_at: Date | string;
  updated_at: Date | string;
}

const cursors = (secret: string) =>
  cursorCodec<{ seq: string }>(
    secret,
    "insights",
    (value): value is { seq: string } =>
      typeof value === "object" && value !== null && /^[1-9][0-9]{0,18}$/.test(String((value as { seq?: unknown }).seq)),
  );

/** The user's insights, newest first, a page at a time (a signed cursor bound to the user and the filter). */
export async function listInsights(
  tx: Sql,
  secret: string,
  input: { userId: string; kind?: InsightKind; limit: number; cursor?: string },
): Promise<{ data: Insight[]; nextCursor: string | null }> {
  const codec = cursors(secret);
  const boundTo = `${input.userId}:${input.kind ?? ""}`;
  const after = input.cursor === undefined ? null : codec.decode(input.cursor, boundTo).seq;
  const rows = await tx.query<InsightRow>(
    `SELECT seq::text AS seq, id, kind, key, title, data, created_at, updated_at FROM insights.insights
     WHERE user_id = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::bigint IS NULL OR seq < $3::bigint)
     ORDER BY insights.seq DESC LIMIT $4`,
    [input.userId, input.kind ?? null, after, input.limit + 1],
  );
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  return {
    data: page.map((row) => ({
      id: row.id,
      kind: row.kind,
      key: row.key,
      title: row.title,
      data: typeof row.data === "string" ? JSON.parse(row.data) : row.data,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    })),
    nextCursor: rows.length > input.limit && last ? codec.encode({ seq: last.seq }, boundTo) : null,
  };
}
