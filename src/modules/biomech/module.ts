import { defineModule } from "../../platform/module.ts";
import { registerGetSession } from "./routes/get-session.ts";
import { registerListSessions } from "./routes/list-sessions.ts";

/** Seed 000: the Biomech read API, at the seed's exact paths. Read-only by design. */
export const biomechModule = defineModule({
  name: "biomech",
  tables: [
    {
      name: "biomech.athletes",
      class: "org",
      columns: { id: "text", org_id: "text", display_name: "text", created_at: "timestamp with time zone" },
    },
    {
      name: "biomech.sessions",
      class: "org",
      columns: {
        id: "text",
        org_id: "text",
        athlete_id: "text",
        captured_at: "timestamp with time zone",
        kind: "text",
        duration_ms: "integer",
        rep_count: "integer",
        peak_force_n: "double precision",
        peak_velocity_mps: "double precision",
        asymmetry_pct: "double precision",
        raw: "jsonb",
        device_serial: "text",
        created_at: "timestamp with time zone",
      },
    },
  ],
  scopes: [{ name: "biomech:read", description: "Read capture sessions (of the key's own org, or any org for a platform-wide key)" }],
  idPrefixes: { ath: "athlete", ses: "capture session" },
  registerRoutes(app, services) {
    registerListSessions(app, services);
    registerGetSession(app, services);
  },
});
