import type { Sql } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { newId } from "../../../platform/ids.ts";
import { SEQUENCE_MIN_OCCURRENCES, SUGGESTION_MIN_DAYS, SUGGESTION_MIN_EVENTS } from "../analysis/settings.ts";
import { utcDay, windowStart } from "../analysis/window.ts";

export interface SuggestionEvidence {
  windowDays: number;
  matchingEvents: number;
  appEvents: number;
  activeDays: number;
  sequences: number;
  topEventTypes: { type: string; events: number }[];
}

export interface Suggestion {
  id: string;
  integrationId: string;
  integrationName: string;
  reason: string;
  evidence: SuggestionEvidence;
  score: number;
  createdAt: string;
  updatedAt: string;
}

interface CatalogRow {
  id: string;
  name: string;
  apps: string[];
  event_types: string[];
  connected: boolean;
}

/**
 * The evidence for each integration of the catalog (`connected`: the user has it), from the window's aggregates: events
 * in its apps or of its event types, the days they happened on, and occurrences of frequent
 * sequences through its event types. Score: events in its apps count 1, events of its types
 * elsewhere ½, each sequence occurrence 5 (a repeated hand-off is what an integration automates).
 */
export async function evidenceFor(tx: Sql, userId: string, input: { now: Date; days: number }) {
  const since = windowStart(input.now, input.days);
  const catalog = await tx.query<CatalogRow>(
    `SELECT c.id, c.name, c.apps, c.event_types,
       EXISTS (SELECT 1 FROM insights.integration_connections k WHERE k.user_id = $1 AND k.integration_id = c.id) AS connected
     FROM insights.integration_catalog c ORDER BY c.position`,
    [userId],
  );
  const usage = await tx.query<{ day: string; app: string; type: string; events: string | number }>(
    `SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, lower(app) AS app, type, sum(events) AS events
     FROM insights.usage_hourly WHERE user_id = $1 AND hour >= $2 GROUP BY 1, 2, 3`,
    [userId, since.toISOString()],
  );
  const sequences = await tx.query<{ sequence: string[]; occurrences: number }>(
    `SELECT sequence, sum(occurrences)::int AS occurrences FROM insights.sequence_daily
     WHERE user_id = $1 AND day >= $2::date GROUP BY sequence HAVING sum(occurrences) >= $3`,
    [userId, utcDay(since), SEQUENCE_MIN_OCCURRENCES],
  );
  return catalog.map((integration) => {
    const apps = new Set(integration.apps);
    const types = new Set(integration.event_types);
    const days = new Set<string>();
    const byType = new Map<string, number>();
    let appEvents = 0;
    let typeEvents = 0;
    for (const row of usage) {
      const inApp = apps.has(row.app);
      if (!inApp && !types.has(row.type)) continue;
      const events = Number(row.events);
      if (inApp) appEvents += events;
      else typeEvents += events;
      days.add(row.day);
      byType.set(row.type, (byType.get(row.type) ?? 0) + events);
    }
    const sequenceCount = sequences
      .filter((row) => row.sequence.some((type) => types.has(type)))
      .reduce((sum, row) => sum + row.occurrences, 0);
    const evidence: SuggestionEvidence = {
      windowDays: input.days,
      matchingEvents: appEvents + typeEvents,
      appEvents,
      activeDays: days.size,
      sequences: sequenceCount,
      topEventTypes: [...byType.entries()]
        .map(([type, events]) => ({ type, events }))
        .sort((a, b) => b.events - a.events || a.type.localeCompare(b.type))
        .slice(0, 3),
    };
    return { integration, evidence, score: appEvents + typeEvents / 2 + 5 * sequenceCount };
  });
}

export function reasonFor(name: string, evidence: SuggestionEvidence): string {
  const top = evidence.topEventTypes[0];
  const most = top ? ` (most: ${top.type} ×${top.events})` : "";
  const through = evidence.appEvents > 0 ? `${evidence.appEvents} in ${name} itself` : `none in ${name} itself`;
  const sequences = evidence.sequences > 0 ? `, and ${evidence.sequences} repeated sequences through its event types` : "";
  return `${evidence.matchingEvents} related events on ${evidence.activeDays} of the last ${evidence.windowDays} days, ${through}${most}${sequences}`;
}

/**
 * Rewrites the user's open suggestions: one per unconnected integration with enough evidence
 * (SUGGESTION_MIN_EVENTS on SUGGESTION_MIN_DAYS days), with its reason and counts. A dismissed
 * suggestion keeps its dismissal, and its figures are always the current window's, qualifying or
 * not (so none outlive the events they counted); open ones that no longer qualify go.
 */
export async function generateSuggestions(tx: Sql, userId: string, input: { now: Date; days: number }): Promise<number> {
  const all = await evidenceFor(tx, userId, input);
  const candidates = all.filter(
    ({ integration, evidence }) =>
      !integration.connected && evidence.matchingEvents >= SUGGESTION_MIN_EVENTS && evidence.activeDays >= SUGGESTION_MIN_DAYS,
  );
  const others = all.filter((entry) => !candidates.includes(entry));
  await tx.query(
    `UPDATE insights.suggestions s SET reason = u.reason, evidence = u.evidence::jsonb, score = u.score, updated_at = clock_timestamp()
     FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[]) AS u(integration_id, reason, evidence, score)
     WHERE s.user_id = $1 AND s.dismissed_at IS NOT NULL AND s.integration_id = u.integration_id
       AND s.evidence IS DISTINCT FROM u.evidence::jsonb`,
    [
      userId,
      others.map(({ integration }) => integration.id),
      others.map(({ integration, evidence }) => reasonFor(integration.name, evidence)),
      others.map(({ evidence }) => JSON.stringify(evidence)),
      others.map(({ score }) => score),
    ],
  );
  if (candidates.length > 0) {
    await tx.query(
      `INSERT INTO insights.suggestions AS s (id, user_id, integration_id, reason, evidence, score)
       SELECT id, $1, integration_id, reason, evidence::jsonb, score
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[]) AS c(id, integration_id, reason, evidence, score)
       ON CONFLICT (user_id, integration_id) DO UPDATE SET reason = EXCLUDED.reason, evidence = EXCLUDED.evidence,
         score = EXCLUDED.score, updated_at = clock_timestamp()`,
      [
        userId,
        candidates.map(() => newId("sug")),
        candidates.map(({ integration }) => integration.id),
        candidates.map(({ integration, evidence }) => reasonFor(integration.name, evidence)),
        candidates.map(({ evidence }) => JSON.stringify(evidence)),
        candidates.map(({ score }) => score),
      ],
    );
  }
  await tx.query(
    "DELETE FROM insights.suggestions WHERE user_id = $1 AND dismissed_at IS NULL AND NOT (integration_id = ANY($2::text[]))",
    [userId, candidates.map(({ integration }) => integration.id)],
  );
  return candidates.length;
}

interface SuggestionRow {
  id: string;
  integration_id: string;
  name: string;
  reason: string;
  evidence: SuggestionEvidence | string;
  score: number;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The user's open (not dismissed) suggestions, strongest first. */
export async function listSuggestions(tx: Sql, userId: string): Promise<Suggestion[]> {
  const rows = await tx.query<SuggestionRow>(
    `SELECT s.id, s.integration_id, c.name, s.reason, s.evidence, s.score, s.created_at, s.updated_at
     FROM insights.suggestions s JOIN insights.integration_catalog c ON c.id = s.integration_id
     WHERE s.user_id = $1 AND s.dismissed_at IS NULL ORDER BY s.score DESC, c.position`,
    [userId],
  );
  return rows.map((row) => ({
    id: row.id,
    integrationId: row.integration_id,
    integrationName: row.name,
    reason: row.reason,
    evidence: typeof row.evidence === "string" ? JSON.parse(row.evidence) : row.evidence,
    score: Number(row.score),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  }));
}

/** Dismisses one of the user's open suggestions; 404 for an unknown, already dismissed or another user's. */
export async function dismissSuggestion(
  tx: Sql,
  userId: string,
  id: string,
): Promise<{ id: string; integrationId: string; dismissedAt: string }> {
  const [row] = await tx.query<{ integration_id: string; dismissed_at: Date | string }>(
    `UPDATE insights.suggestions SET dismissed_at = clock_timestamp(), updated_at = clock_timestamp()
     WHERE id = $1 AND user_id = $2 AND dismissed_at IS NULL RETURNING integration_id, dismissed_at`,
    [id, userId],
  );
  if (!row) throw new AppError("not_found", `No open suggestion ${id}`);
  return { id, integrationId: row.integration_id, dismissedAt: new Date(row.dismissed_at).toISOString() };
}
