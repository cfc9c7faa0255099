import { randomUUID } from "node:crypto";
import { insightsModule } from "../../src/modules/insights/module.ts";
import type { JobDefinition } from "../../src/platform/module.ts";
import { type SignedInUser, signInUser } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

export interface EventInput {
  id?: string;
  type: string;
  occurredAt: string | Date;
  app?: string;
  properties?: Record<string, unknown>;
}

/** The insights module alone, rate limits off (many sign-ins from one client), with a clock tests can set. */
export async function createInsightsApp(): Promise<TestApp & { setNow(at: Date | null): void }> {
  const t = await createTestApp({ env: { RATE_LIMITS_ENABLED: "false" }, modules: [insightsModule] });
  let now: Date | null = null;
  t.services.clock = () => now ?? new Date();
  const setNow = (at: Date | null) => {
    now = at;
  };
  return Object.assign(t, { setNow });
}

let counter = 0;
export function signIn(t: TestApp, label: string): Promise<SignedInUser> {
  return signInUser(t, `${label}-${process.pid}-${++counter}@example.test`);
}

/** Events as the client sends them (a fresh client id each unless given). */
export function batch(events: EventInput[]) {
  return {
    events: events.map((event) => ({
      id: event.id ?? randomUUID(),
      type: event.type,
      occurredAt: event.occurredAt instanceof Date ? event.occurredAt.toISOString() : event.occurredAt,
      ...(event.app === undefined ? {} : { app: event.app }),
      ...(event.properties === undefined ? {} : { properties: event.properties }),
    })),
  };
}

export function postEvents(t: TestApp, user: SignedInUser, body: unknown, headers: Record<string, string> = {}) {
  return t.call("POST", "/api/telemetry/events", { body, headers: { ...user.headers, ...headers } });
}

/** Runs one job's handler for the user as the worker would (same services, in-process). */
export async function runJob(t: TestApp, job: JobDefinition<{ userId: string }>, userId: string): Promise<void> {
  await job.handler({ userId }, { services: t.services, jobId: randomUUID(), attempt: 1, signal: new AbortController().signal });
}

/** Jobs of `name` queued for the user (pg-boss rows). */
export async function queuedJobs(t: TestApp, name: string, userId: string) {
  return t.services.db.query<{ id: string; state: string; start_after: Date; singleton_key: string | null }>(
    "SELECT id, state, start_after, singleton_key FROM pgboss.job WHERE data->>'job' = $1 AND data->'payload'->>'userId' = $2 ORDER BY created_on",
    [name, userId],
  );
}
