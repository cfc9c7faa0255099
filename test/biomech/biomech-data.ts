import type { Sql } from "../../src/platform/db/database.ts";
import { newId } from "../../src/platform/ids.ts";

export async function insertAthlete(db: Sql, orgId: string, name = "Test Athlete"): Promise<string> {
  const id = newId("ath");
  await db.query("INSERT INTO biomech.athletes (id, org_id, display_name) VALUES ($1, $2, $3)", [id, orgId, name]);
  return id;
}

/** Inserts sessions with the given capture times (many equal times exercise the id tie-break). */
export async function insertSessions(db: Sql, orgId: string, athleteId: string, capturedAt: Date[]): Promise<string[]> {
  const ids = capturedAt.map(() => newId("ses"));
  await db.query(
    `INSERT INTO biomech.sessions (id, org_id, athlete_id, captured_at, kind, duration_ms, rep_count, peak_force_n, peak_velocity_mps, asymmetry_pct, raw, device_serial)
     SELECT id, $2, $3, at, 'jump', 1000, 3, 1500.5, 2.25, NULL, '{"frames":[1,2,3]}'::jsonb, 'SN-SECRET-1'
     FROM unnest($1::text[], $4::timestamptz[]) AS t(id, at)`,
    [ids, orgId, athleteId, capturedAt],
  );
  return ids;
}

/** `count` times, newest first from `start`, stepping back `stepMs`, `perTick` rows sharing each time. */
export function captureTimes(count: number, options: { start?: Date; stepMs?: number; perTick?: number } = {}): Date[] {
  const start = options.start?.getTime() ?? Date.parse("2026-01-01T00:00:00.000Z");
  const perTick = options.perTick ?? 1;
  return Array.from({ length: count }, (_, i) => new Date(start - Math.floor(i / perTick) * (options.stepMs ?? 60_000)));
}
