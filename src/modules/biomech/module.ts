import { defineModule } from "../../platform/module.ts";
import { registerGetSession } from "./routes/get-session.ts";
import { registerListSessions } from "./routes/list-sessions.ts";

/** Seed 000: the Biomech read API, at the seed's exact paths. Read-only by design. */
export const biomechModule = defineModule({
  name: "biomech",
  registerRoutes(app, services) {
    registerListSessions(app, services);
    registerGetSession(app, services);
  },
});
