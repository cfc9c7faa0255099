import { defineModule } from "../../platform/module.ts";
import { insightsCleanups, insightsMetrics, insightsPrivacy } from "./insights-privacy.ts";
import { analyzePatternsJob } from "./jobs/analyze-patterns-job.ts";
import { analyzePerformanceJob } from "./jobs/analyze-performance-job.ts";
import { generateSuggestionsJob } from "./jobs/generate-suggestions-job.ts";
import { ingestTelemetryJob } from "./jobs/ingest-telemetry-job.ts";
import { registerInsightRoutes } from "./routes/insights.ts";
import { registerIntegrationRoutes } from "./routes/integrations.ts";
import { registerPostTelemetry } from "./routes/post-telemetry.ts";
import { registerPrivacySettings } from "./routes/privacy-settings.ts";
import { registerSuggestionRoutes } from "./routes/suggestions.ts";
import { TELEMETRY_BODY_LIMIT, TELEMETRY_PATH } from "./schemas/telemetry.ts";

const at = "timestamp with time zone";

/** Seed 002 (Floyo): telemetry, insights, privacy settings, integrations and suggestions (docs/insights.md). */
export const insightsModule = defineModule({
  name: "insights",
  tables: [
    {
      name: "insights.privacy_settings",
      class: "user",
      columns: { user_id: "text", telemetry_enabled: "boolean", retention_days: "integer", created_at: at, updated_at: at },
    },
    {
      name: "insights.telemetry_events",
      class: "user",
      columns: {
        user_id: "text",
        id: "uuid",
        seq: "bigint",
        type: "text",
        app: "text",
        occurred_at: at,
        received_at: at,
        properties: "jsonb",
      },
    },
    { name: "insights.usage_hourly", class: "user", columns: { user_id: "text", hour: at, app: "text", type: "text", events: "integer" } },
    {
      name: "insights.sequence_daily",
      class: "user",
      columns: { user_id: "text", day: "date", sequence: "text[]", occurrences: "integer" },
    },
    {
      name: "insights.app_performance_daily",
      class: "user",
      columns: {
        user_id: "text",
        app: "text",
        day: "date",
        samples: "integer",
        errors: "integer",
        latency_count: "integer",
        latency_sum: "double precision",
        latency_max: "double precision",
        sketch: "jsonb",
      },
    },
    {
      name: "insights.analysis_state",
      class: "user",
      columns: { user_id: "text", analysis: "text", watermark: "bigint", summary: "jsonb", runs: "integer", last_run_at: at },
    },
    {
      name: "insights.insights",
      class: "user",
      columns: {
        seq: "bigint",
        id: "text",
        user_id: "text",
        kind: "text",
        key: "text",
        title: "text",
        data: "jsonb",
        created_at: at,
        updated_at: at,
      },
    },
    {
      name: "insights.integration_catalog",
      class: "global",
      why: "the integrations Floyo offers: product content, the same for every user",
      columns: {
        id: "text",
        name: "text",
        category: "text",
        description: "text",
        website: "text",
        apps: "text[]",
        event_types: "text[]",
        position: "integer",
      },
    },
    {
      name: "insights.integration_connections",
      class: "user",
      columns: {
        user_id: "text",
        integration_id: "text",
        config: "jsonb",
        credentials: "bytea",
        credential_fields: "text[]",
        connected_at: at,
        updated_at: at,
      },
    },
    {
      name: "insights.suggestions",
      class: "user",
      columns: {
        id: "text",
        user_id: "text",
        integration_id: "text",
        reason: "text",
        evidence: "jsonb",
        score: "double precision",
        dismissed_at: at,
        created_at: at,
        updated_at: at,
      },
    },
  ],
  idPrefixes: { ins: "insight (a finding about a user's usage)", sug: "integration suggestion" },
  jobs: [ingestTelemetryJob, analyzePatternsJob, analyzePerformanceJob, generateSuggestionsJob],
  privacy: insightsPrivacy,
  cleanups: insightsCleanups,
  metricSources: insightsMetrics,
  // navigator.sendBeacon posts a JSON string as text/plain.
  mediaTypes: { [TELEMETRY_PATH]: ["text/plain"] },
  bodyLimits: { [TELEMETRY_PATH]: TELEMETRY_BODY_LIMIT },
  registerRoutes(app) {
    registerPostTelemetry(app);
    registerPrivacySettings(app);
    registerInsightRoutes(app);
    registerSuggestionRoutes(app);
    registerIntegrationRoutes(app);
  },
});
