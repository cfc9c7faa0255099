import { Hono } from "hono";
import type { Catalog } from "../catalog.ts";
import type { AppRouter } from "../http/app-env.ts";
import { jobRegistry } from "../jobs/job-registry.ts";
import type { BackplaneModule } from "../module.ts";
import type { AdminEnv, AdminNavEntry } from "./admin-env.ts";
import { adminErrorHandler, requireAdminSession } from "./admin-guard.ts";
import { registerAdminAssets } from "./assets.ts";
import { registerAuditPages } from "./pages/audit.ts";
import { registerKeyPages } from "./pages/keys.ts";
import { registerOrgPages } from "./pages/orgs.ts";
import { registerQueuePages } from "./pages/queues.ts";
import { registerWebhookPages } from "./pages/webhooks.ts";
import { registerSignIn, registerSignOut } from "./sign-in.ts";

export interface AdminDeps {
  modules: BackplaneModule[];
  catalog: Catalog;
}

/**
 * The admin console at /admin: server-rendered HTML (hono/html, which escapes every value), one
 * small script and one stylesheet served from here, no build step and no CDN. Plain Hono routes,
 * not OpenAPI ones: they are pages, not API, and stay out of the API document.
 */
export function registerAdmin(app: AppRouter, deps: AdminDeps): void {
  const platformPages: AdminNavEntry[] = [
    { path: "orgs", title: "Orgs" },
    { path: "keys", title: "API keys" },
    { path: "queues", title: "Queues" },
    { path: "webhooks", title: "Webhook events" },
  ];
  const modulePages = deps.modules.flatMap((module) => module.adminPages ?? []);
  // The audit log comes last: it is where every other page's actions end up.
  const nav = [...platformPages, ...modulePages, { path: "audit", title: "Audit log" }];

  const admin = new Hono<AdminEnv>();
  admin.use("*", async (c, next) => {
    c.set("adminNav", nav);
    await next();
  });
  registerAdminAssets(admin);
  registerSignIn(admin);
  // Everything registered below needs a session, and every POST a CSRF token.
  admin.use("*", requireAdminSession());
  admin.get("/", (c) => c.redirect("/admin/orgs", 303));
  registerSignOut(admin);
  registerOrgPages(admin);
  registerKeyPages(admin, deps.catalog);
  const registry = jobRegistry(deps.modules);
  registerQueuePages(admin, registry);
  registerWebhookPages(admin, registry);
  registerAuditPages(admin);
  for (const page of modulePages) page.register(admin);
  admin.onError(adminErrorHandler);
  app.route("/admin", admin as never);
}
