import type { Sql } from "../../../platform/db/database.ts";
import { AppError } from "../../../platform/http/errors.ts";
import { type Profile, settingsFrom, type TrainingSettings } from "../settings.ts";

interface ProfileRow {
  id: string;
  email: string;
  created_at: Date;
  settings: unknown;
}

/** The signed-in user and their training settings. Run in the user's tenant context. */
export async function getProfile(tx: Sql, userId: string): Promise<Profile> {
  const rows = await tx.query<ProfileRow>(
    `SELECT u.id, u.email, u.created_at, p.settings
     FROM backplane.users u LEFT JOIN training.profiles p ON p.user_id = u.id
     WHERE u.id = $1`,
    [userId],
  );
  const row = rows[0];
  if (!row) throw new AppError("not_found", "User not found");
  return { id: row.id, email: row.email, createdAt: new Date(row.created_at).getTime(), settings: settingsFrom(row.settings) };
}

/** Merges `patch` into the user's settings (validated by the caller) and returns the profile. */
export async function updateSettings(tx: Sql, userId: string, patch: Partial<TrainingSettings>): Promise<Profile> {
  const current = (await getProfile(tx, userId)).settings;
  const next = { ...current, ...patch };
  await tx.query(
    `INSERT INTO training.profiles (user_id, settings) VALUES ($1, $2::jsonb)
     ON CONFLICT (user_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = clock_timestamp()`,
    [userId, JSON.stringify(next)],
  );
  return getProfile(tx, userId);
}

/** Settings as the pipeline reads them (any context that sees the row). */
export async function settingsOf(tx: Sql, userId: string): Promise<TrainingSettings> {
  const rows = await tx.query<{ settings: unknown }>("SELECT settings FROM training.profiles WHERE user_id = $1", [userId]);
  return settingsFrom(rows[0]?.settings);
}
