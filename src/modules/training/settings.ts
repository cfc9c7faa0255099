import { z } from "@hono/zod-openapi";

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The seed's `users.settings` (jsonb), validated: what the load and readiness computations and
 * notifications read. Stored per user in training.profiles.
 */
export const trainingSettingsSchema = z
  .object({
    units: z.enum(["metric", "imperial"]).describe("Display units"),
    maxHr: z.number().int().min(100).max(250).nullable().describe("Maximum heart rate (bpm), for TRIMP"),
    restingHr: z.number().int().min(20).max(120).nullable().describe("Resting heart rate (bpm), for TRIMP when no daily value exists"),
    sex: z.enum(["male", "female"]).nullable().describe("Selects Banister's TRIMP weighting factor (1.92 male, 1.67 female)"),
    timeZone: z
      .string()
      .min(1)
      .max(64)
      .refine(isTimeZone, "must be an IANA time zone, e.g. Europe/Paris")
      .describe("IANA time zone: what 'today' means"),
    notificationsEnabled: z.boolean().describe("Opt-in to push notifications ('New Run Analyzed')"),
  })
  .strict();

export type TrainingSettings = z.infer<typeof trainingSettingsSchema>;

/** What a user who never saved settings has. */
export const defaultSettings: TrainingSettings = {
  units: "metric",
  maxHr: null,
  restingHr: null,
  sex: null,
  timeZone: "UTC",
  notificationsEnabled: false,
};

/** `updateSettings` input: any subset; the rest is kept. */
export const settingsPatchSchema = trainingSettingsSchema.partial().strict();

/** Stored settings over the defaults; a key a newer version dropped, or a bad stored value, falls back to its default. */
export function settingsFrom(stored: unknown): TrainingSettings {
  const merged: Record<string, unknown> = { ...defaultSettings };
  if (stored && typeof stored === "object") {
    for (const [key, value] of Object.entries(stored)) {
      const field = trainingSettingsSchema.shape[key as keyof TrainingSettings];
      if (field?.safeParse(value).success) merged[key] = value;
    }
  }
  return merged as TrainingSettings;
}

export const profileSchema = z.object({
  id: z.string().describe("The platform user id (backplane.users.id)"),
  email: z.string(),
  createdAt: z.number().int().describe("Epoch milliseconds"),
  settings: trainingSettingsSchema,
});

export type Profile = z.infer<typeof profileSchema>;
