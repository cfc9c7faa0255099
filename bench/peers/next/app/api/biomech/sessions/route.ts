/**
 * Scenario 2 peer: the biomech sessions endpoint as a Next.js App Router route handler (seeds
 * 000, 002 and 003 chose Next.js), built with `next build` and served by `next start`.
 * Benchmark only. The seeds used Prisma; Prisma's engines are binaries downloaded at install
 * time, which this machine cannot fetch, so this uses the same SQL through the same driver
 * (`pg`) as Backplane. Same work as Backplane's route: X-API-Key against BIOMECH_API_KEYS
 * (constant-time; the seed-000 scheme), zod validation, identical SQL, the same JSON shape.
 */
import { timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { pool } from "../../../../lib/db.ts";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const apiKeys = (process.env.BIOMECH_API_KEYS ?? "")
  .split(",")
  .filter(Boolean)
  .map((key) => Buffer.from(key));

const query = z.object({
  orgId: z.string().regex(/^org_[0-9a-z]+$/),
  athleteId: z
    .string()
    .regex(/^ath_[0-9a-z]+$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

interface Row {
  id: string;
  athlete_id: string;
  captured_at: Date;
  kind: string;
  duration_ms: number;
  rep_count: number;
  peak_force_n: number | null;
  peak_velocity_mps: number | null;
  asymmetry_pct: number | null;
}

export async function GET(request: Request): Promise<Response> {
  const presented = Buffer.from(request.headers.get("x-api-key") ?? "");
  if (!apiKeys.some((key) => key.length === presented.length && timingSafeEqual(key, presented))) {
    return Response.json({ error: { code: "unauthorized", message: "Missing or invalid API key" } }, { status: 401 });
  }
  const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) {
    return Response.json({ error: { code: "validation_failed", message: "Invalid query", details: parsed.error.issues } }, { status: 400 });
  }
  const { orgId, limit } = parsed.data;
  const { rows } = await pool.query<Row>(
    `SELECT id, athlete_id, captured_at, kind, duration_ms, rep_count, peak_force_n, peak_velocity_mps, asymmetry_pct
       FROM biomech.sessions WHERE org_id = $1 ORDER BY captured_at DESC, id DESC LIMIT $2`,
    [orgId, limit + 1],
  );
  const data = rows.slice(0, limit).map((row) => ({
    id: row.id,
    athleteId: row.athlete_id,
    capturedAt: new Date(row.captured_at).toISOString(),
    kind: row.kind,
    durationMs: row.duration_ms,
    summary: {
      repCount: row.rep_count,
      peakForceN: row.peak_force_n,
      peakVelocityMps: row.peak_velocity_mps,
      asymmetryPct: row.asymmetry_pct,
    },
  }));
  const last = data.at(-1);
  const nextCursor =
    rows.length > limit && last ? Buffer.from(JSON.stringify({ capturedAt: last.capturedAt, id: last.id })).toString("base64url") : null;
  return Response.json({ data, nextCursor });
}
