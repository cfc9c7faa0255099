import type { Sql } from "../../../platform/db/database.ts";

export interface RuleTemplate {
  slug: string;
  title: string;
  category: string;
  description: string;
  position: number;
  document: Record<string, unknown>;
}

/** The curated templates in their display order. */
export function listTemplates(tx: Sql, category?: string): Promise<RuleTemplate[]> {
  return tx.query<RuleTemplate>(
    `SELECT slug, title, category, description, position, document FROM community.templates
     WHERE $1::text IS NULL OR category = $1 ORDER BY position, slug`,
    [category ?? null],
  );
}
