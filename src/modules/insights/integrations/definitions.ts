import { z } from "zod";

/**
 * What connecting each catalog integration takes: `config` (kept as given, returned) and
 * `credentials` (sealed at rest, never returned). Formats are the products' own (Slack bot tokens
 * start xoxb-, GitHub tokens ghp_ or github_pat_, …), so an obvious paste error is a 400 here
 * rather than a failed call later. One entry per row of insights.integration_catalog.
 */
export interface IntegrationDefinition {
  config: z.ZodObject;
  credentials: z.ZodObject;
}

const googleRefreshToken = z.string().regex(/^1\/\/[A-Za-z0-9_-]{20,}$/, "a Google OAuth refresh token (starts 1//)");

export const integrationDefinitions: Record<string, IntegrationDefinition> = {
  slack: {
    config: z.strictObject({ defaultChannel: z.string().regex(/^#[a-z0-9][a-z0-9._-]{0,79}$/, "a channel name such as #general") }),
    credentials: z.strictObject({ botToken: z.string().regex(/^xoxb-[A-Za-z0-9-]{10,250}$/, "a Slack bot token (starts xoxb-)") }),
  },
  github: {
    config: z.strictObject({
      owner: z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, "a GitHub user or organization name"),
      repositories: z
        .array(z.string().regex(/^[A-Za-z0-9._-]{1,100}$/))
        .max(100)
        .optional(),
    }),
    credentials: z.strictObject({
      token: z.string().regex(/^(ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,255})$/, "a GitHub token (ghp_… or github_pat_…)"),
    }),
  },
  "google-calendar": {
    config: z.strictObject({ calendarId: z.union([z.literal("primary"), z.email()]).default("primary") }),
    credentials: z.strictObject({ refreshToken: googleRefreshToken }),
  },
  notion: {
    config: z.strictObject({
      databaseId: z
        .string()
        .regex(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, "a Notion database id (32 hex digits)"),
    }),
    credentials: z.strictObject({ token: z.string().regex(/^(secret_|ntn_)[A-Za-z0-9]{20,100}$/, "a Notion integration token") }),
  },
  jira: {
    config: z.strictObject({
      siteUrl: z.url({
        protocol: /^https$/,
        hostname: /^[a-z0-9-]+\.atlassian\.net$/,
        error: "your Jira site, https://<name>.atlassian.net",
      }),
      projectKey: z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, "a Jira project key such as OPS"),
    }),
    credentials: z.strictObject({ email: z.email(), apiToken: z.string().min(16).max(512) }),
  },
  linear: {
    config: z.strictObject({ teamKey: z.string().regex(/^[A-Z][A-Z0-9]{0,6}$/, "a Linear team key such as ENG") }),
    credentials: z.strictObject({ apiKey: z.string().regex(/^lin_api_[A-Za-z0-9]{20,100}$/, "a Linear API key (starts lin_api_)") }),
  },
  figma: {
    config: z.strictObject({ teamId: z.string().regex(/^[0-9]{5,30}$/, "a Figma team id (digits)") }),
    credentials: z.strictObject({
      token: z.string().regex(/^figd_[A-Za-z0-9_-]{20,200}$/, "a Figma personal access token (starts figd_)"),
    }),
  },
  zoom: {
    config: z.strictObject({ accountId: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/) }),
    credentials: z.strictObject({ clientId: z.string().min(10).max(128), clientSecret: z.string().min(16).max(256) }),
  },
  "google-drive": {
    config: z.strictObject({
      folderId: z
        .string()
        .regex(/^[A-Za-z0-9_-]{10,100}$/)
        .optional(),
    }),
    credentials: z.strictObject({ refreshToken: googleRefreshToken }),
  },
  trello: {
    config: z.strictObject({ boardId: z.string().regex(/^([A-Za-z0-9]{8}|[0-9a-f]{24})$/, "a Trello board id") }),
    credentials: z.strictObject({
      apiKey: z.string().regex(/^[0-9a-f]{32}$/, "a Trello API key (32 hex digits)"),
      token: z.string().regex(/^(ATTA)?[0-9A-Za-z]{64,100}$/, "a Trello token"),
    }),
  },
};

/** Field names of an integration, for GET /api/integrations: which are secret and which required. */
export function fieldsOf(definition: IntegrationDefinition): { name: string; secret: boolean; required: boolean }[] {
  const list = (shape: z.ZodObject, secret: boolean) =>
    Object.entries(shape.shape).map(([name, field]) => ({ name, secret, required: !(field as z.ZodType).safeParse(undefined).success }));
  return [...list(definition.config, false), ...list(definition.credentials, true)];
}
