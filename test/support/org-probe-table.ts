import type { Sql } from "../../src/platform/db/database.ts";

/**
 * A throwaway tenant table for tenancy tests: `public.<name>` (org_id, note) under the same
 * FORCE'd row-level security policy the real tenant tables use, readable by the app role
 * (`privileges`), filled with `rows` as [org_id, note] pairs.
 */
export async function createOrgProbeTable(db: Sql, name: string, privileges: string, rows: [string, string][]): Promise<void> {
  const values = rows.map(([org, note]) => `('${org}', '${note}')`).join(", ");
  await db.exec(`CREATE TABLE public.${name} (org_id text NOT NULL, note text NOT NULL);
    ALTER TABLE public.${name} ENABLE ROW LEVEL SECURITY;
    ALTER TABLE public.${name} FORCE ROW LEVEL SECURITY;
    CREATE POLICY ${name}_org ON public.${name} USING (org_id = nullif(current_setting('app.org_id', true), ''));
    GRANT ${privileges} ON public.${name} TO backplane_app;
    INSERT INTO public.${name} VALUES ${values};`);
}
