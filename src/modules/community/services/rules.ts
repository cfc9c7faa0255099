import type { Sql } from "../../../platform/db/database.ts";
import type { CursorCodec } from "../../../platform/http/keyset-cursor.ts";
import { newId } from "../../../platform/ids.ts";

export interface RuleSummary {
  id: string;
  title: string;
  summary: string | null;
  createdAt: string;
  updatedAt: string;
}

interface RuleRow {
  id: string;
  title: string;
  summary: string | null;
  created_at: Date;
  updated_at: Date;
  created_us: string;
  document?: Record<string, unknown>;
}

/** Position of the last row of a page: created_at to the microsecond (as text), then id. */
export type RulePosition = [createdUs: string, id: string];

export function isRulePosition(value: unknown): value is RulePosition {
  return Array.isArray(value) && value.length === 2 && /^\d{1,20}$/.test(String(value[0])) && /^rul_[0-9a-z]+$/.test(String(value[1]));
}

const columns = `id, title, summary, created_at, updated_at, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us`;

function toSummary(row: RuleRow): RuleSummary {
  return {
    id: row.id,
    title: row.title,
    summary: row.summary,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Published rules, newest first, by keyset (created_at, id): stable while new rules arrive. */
export async function listRules(
  tx: Sql,
  input: { limit: number; cursor?: string; codec: CursorCodec<RulePosition> },
): Promise<{ data: RuleSummary[]; nextCursor: string | null }> {
  const after = input.cursor ? input.codec.decode(input.cursor, "rules") : null;
  const rows = after
    ? await tx.query<RuleRow>(
        `SELECT ${columns} FROM community.rules
         WHERE (created_at, id) < (to_timestamp($1::bigint / 1000000.0), $2)
         ORDER BY created_at DESC, id DESC LIMIT $3`,
        [after[0], after[1], input.limit + 1],
      )
    : await tx.query<RuleRow>(`SELECT ${columns} FROM community.rules ORDER BY created_at DESC, id DESC LIMIT $1`, [input.limit + 1]);
  const page = rows.slice(0, input.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > input.limit && last ? input.codec.encode([last.created_us, last.id], "rules") : null;
  return { data: page.map(toSummary), nextCursor };
}

/** Publishes a rule owned by `userId` (seed §6: no edit or delete in v1). */
export async function publishRule(
  tx: Sql,
  input: { userId: string; title: string; summary?: string; document: Record<string, unknown> },
): Promise<RuleSummary & { document: Record<string, unknown> }> {
  const rows = await tx.query<RuleRow>(
    `INSERT INTO community.rules (id, user_id, title, summary, document) VALUES ($1, $2, $3, $4, $5::jsonb)
     RETURNING ${columns}, document`,
    [newId("rul"), input.userId, input.title, input.summary ?? null, JSON.stringify(input.document)],
  );
  const row = rows[0] as RuleRow;
  return { ...toSummary(row), document: row.document as Record<string, unknown> };
}
