import { defineModule } from "../../platform/module.ts";
import { communityCleanups, communityPrivacy } from "./community-privacy.ts";
import { registerGetDraft } from "./routes/get-draft.ts";
import { registerListRules } from "./routes/list-rules.ts";
import { registerListTemplates } from "./routes/list-templates.ts";
import { registerPublishRule } from "./routes/publish-rule.ts";
import { registerSaveDraft } from "./routes/save-draft.ts";
import { registerWebVitals } from "./routes/web-vitals.ts";

const ts = "timestamp with time zone";

/** Seed 003: the Community Rule backend, at the seed's exact paths (docs/community.md). Sign-in is the platform's /api/auth/*. */
export const communityModule = defineModule({
  name: "community",
  tables: [
    { name: "community.drafts", class: "user", columns: { user_id: "text", payload: "jsonb", created_at: ts, updated_at: ts } },
    {
      name: "community.rules",
      class: "user",
      columns: { id: "text", user_id: "text", title: "text", summary: "text", document: "jsonb", created_at: ts, updated_at: ts },
    },
    {
      name: "community.templates",
      class: "global",
      why: "curated template content, the same for everyone",
      columns: { slug: "text", title: "text", category: "text", description: "text", position: "integer", document: "jsonb" },
    },
    {
      name: "community.web_vitals",
      class: "global",
      why: "anonymous browser measurements: no user, no org",
      columns: {
        id: "bigint",
        name: "text",
        value: "double precision",
        rating: "text",
        metric_id: "text",
        navigation_type: "text",
        page: "text",
        recorded_at: ts,
      },
    },
  ],
  idPrefixes: { rul: "published community rule" },
  privacy: communityPrivacy,
  cleanups: communityCleanups,
  // navigator.sendBeacon posts a JSON string as text/plain.
  mediaTypes: { "/api/web-vitals": ["text/plain"] },
  registerRoutes(app, services) {
    registerGetDraft(app);
    registerSaveDraft(app);
    registerListRules(app, services);
    registerPublishRule(app);
    registerListTemplates(app);
    registerWebVitals(app);
  },
});
