import { isoTime } from "../../../platform/db/text-times.ts";
import type { Session } from "../schemas.ts";

export interface SessionRow {
  id: string;
  athlete_id: string;
  /** PostgreSQL's text where the statement is marked `timesAsText`, else a Date. */
  captured_at: Date | string;
  kind: Session["kind"];
  duration_ms: number;
  rep_count: number;
  peak_force_n: number | null;
  peak_velocity_mps: number | null;
  asymmetry_pct: number | null;
}

/** Exactly the columns the API returns: raw data is never even read. */
export const sessionColumns = "id, athlete_id, captured_at, kind, duration_ms, rep_count, peak_force_n, peak_velocity_mps, asymmetry_pct";

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    athleteId: row.athlete_id,
    capturedAt: isoTime(row.captured_at),
    kind: row.kind,
    durationMs: row.duration_ms,
    summary: {
      repCount: row.rep_count,
      peakForceN: row.peak_force_n,
      peakVelocityMps: row.peak_velocity_mps,
      asymmetryPct: row.asymmetry_pct,
    },
  };
}
