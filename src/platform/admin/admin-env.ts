import type { Context, Hono } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import type { AdminSession } from "./admin-sessions.ts";

/** A link in the console's navigation. */
export interface AdminNavEntry {
  /** Under /admin: `orgs` links /admin/orgs. */
  path: string;
  title: string;
}

/** The request variables of every console route: the platform's, the session, the navigation. */
export interface AdminEnv {
  Variables: AppEnv["Variables"] & {
    /** Set by the session guard on every page but sign-in and the assets. */
    admin?: AdminSession;
    adminNav: readonly AdminNavEntry[];
  };
}

export type AdminRouter = Hono<AdminEnv>;
export type AdminContext = Context<AdminEnv>;

/**
 * A page a module adds to the console (the workflows module's runs): it registers its GET (and
 * any POST) handlers on the console's router, under /admin/<path>, behind the sign-in and the
 * CSRF check, and renders with `renderAdminPage` (src/platform/admin/layout.ts).
 */
export interface AdminPage extends AdminNavEntry {
  register(router: AdminRouter): void;
}

/** The signed-in session; a handler outside the guard is a programming error. */
export function adminOf(c: AdminContext): AdminSession {
  const session = c.get("admin");
  if (!session) throw new Error("console route reads the session but is not behind the admin guard");
  return session;
}
