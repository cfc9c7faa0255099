import type { Sql } from "../../../platform/db/database.ts";
import { DEFAULT_RETENTION_DAYS, type PrivacySettings } from "../schemas/privacy.ts";

interface SettingsRow {
  telemetry_enabled: boolean;
  retention_days: number;
  updated_at: Date | string;
}

const toSettings = (row: SettingsRow | undefined): PrivacySettings =>
  row
    ? { telemetryEnabled: row.telemetry_enabled, retentionDays: row.retention_days, updatedAt: new Date(row.updated_at).toISOString() }
    : { telemetryEnabled: true, retentionDays: DEFAULT_RETENTION_DAYS, updatedAt: null };

/** The user's settings, or the defaults (telemetry on, 90 days) when never changed. Run in the user's context. */
export async function getPrivacySettings(tx: Sql, userId: string): Promise<PrivacySettings> {
  const [row] = await tx.query<SettingsRow>(
    "SELECT telemetry_enabled, retention_days, updated_at FROM insights.privacy_settings WHERE user_id = $1",
    [userId],
  );
  return toSettings(row);
}

/** Changes the given fields (the others keep their value) and returns the settings before and after. */
export async function updatePrivacySettings(
  tx: Sql,
  userId: string,
  changes: { telemetryEnabled?: boolean; retentionDays?: number },
): Promise<{ before: PrivacySettings; after: PrivacySettings }> {
  const [previous] = await tx.query<SettingsRow>(
    "SELECT telemetry_enabled, retention_days, updated_at FROM insights.privacy_settings WHERE user_id = $1 FOR UPDATE",
    [userId],
  );
  const before = toSettings(previous);
  const [row] = await tx.query<SettingsRow>(
    `INSERT INTO insights.privacy_settings (user_id, telemetry_enabled, retention_days) VALUES ($1, $2, $3)
     ON CONFLICT (user_id) DO UPDATE SET telemetry_enabled = EXCLUDED.telemetry_enabled, retention_days = EXCLUDED.retention_days,
       updated_at = clock_timestamp()
     RETURNING telemetry_enabled, retention_days, updated_at`,
    [userId, changes.telemetryEnabled ?? before.telemetryEnabled, changes.retentionDays ?? before.retentionDays],
  );
  return { before, after: toSettings(row) };
}
