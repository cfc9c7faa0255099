import type { Sql } from "../db/database.ts";
import type { PrivacyHandlers } from "../module.ts";

// Job payloads can name a user (a sign-in code job carries the email, a mail job its `to`, a
// module's job the user id) and pg-boss keeps finished jobs for days. A job is the user's when
// some string in its payload, at any depth, IS the user's id or email: whole values, never
// substrings, so x@p.test does not take bx@p.test's jobs (nor usr_ab those of usr_abc).
const mentions = `EXISTS (
  SELECT 1 FROM jsonb_path_query(data->'payload', 'strict $.**') AS v(value)
  WHERE jsonb_typeof(v.value) = 'string' AND (v.value #>> '{}' = $1 OR lower(v.value #>> '{}') = $2))`;

async function hasQueue(tx: Sql): Promise<boolean> {
  const [row] = await tx.query<{ present: boolean }>("SELECT to_regclass('pgboss.job') IS NOT NULL AS present");
  return row?.present ?? false;
}

/** Queued, running, finished and dead-lettered jobs whose payload names the user. */
export const queuedJobsPrivacy: PrivacyHandlers = {
  async export(tx, { userId, email }) {
    if (!(await hasQueue(tx))) return { jobs: [] };
    return {
      jobs: await tx.query(
        `SELECT id, data->>'job' AS job, state, created_on, completed_on, data->'payload' AS payload
         FROM pgboss.job WHERE ${mentions} ORDER BY created_on`,
        [userId, email.toLowerCase()],
      ),
    };
  },
  async erase(tx, { userId, email }) {
    if (!(await hasQueue(tx))) return { jobs: 0 };
    const rows = await tx.query(`DELETE FROM pgboss.job WHERE ${mentions} RETURNING 1`, [userId, email.toLowerCase()]);
    return { jobs: rows.length };
  },
};
