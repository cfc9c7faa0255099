import type { Writable } from "node:stream";
import { availableModules } from "../../src/modules/registry.ts";
import { type Config, parseConfig } from "../../src/platform/config/config.ts";
import type { AppRouter } from "../../src/platform/http/app-env.ts";
import { createApp } from "../../src/platform/http/create-app.ts";
import { openJobQueue } from "../../src/platform/jobs/open-job-queue.ts";
import type { BackplaneModule, HealthCheck, Services } from "../../src/platform/module.ts";
import { createLogger } from "../../src/platform/observability/logger.ts";
import { closeRateLimitStore } from "../../src/platform/ratelimit/rate-limit-store.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";

/** The secret test apps and the processes they start share (given explicitly: no file in a data folder). */
export const TEST_SECRET = "backplane-test-secret-0123456789-abcdefghij";

export interface TestApp {
  app: AppRouter;
  services: Services;
  config: Config;
  database: TestDatabase;
  /** Every log line the app wrote, raw. */
  logs: string[];
  /** `app.request` with a JSON body and parsed JSON answer. */
  call(method: string, path: string, init?: { body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
  close(): Promise<void>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON
  body: any;
  text: string;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Modules to serve; defaults to every shipped module. */
  modules?: BackplaneModule[];
  healthChecks?: Record<string, HealthCheck>;
}

/** The real app on a private copy of the migrated database, driven in-process. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = parseConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    BACKPLANE_SECRET: TEST_SECRET,
    DATABASE_URL: database.url ?? undefined,
    ...options.env,
  });
  const logs: string[] = [];
  const destination = { write: (line: string) => logs.push(line) } as unknown as Writable;
  const log = createLogger({ level: config.LOG_LEVEL, destination });
  const jobs = await openJobQueue({ config, db: database.db, log });
  const services: Services = { config, db: database.db, log, jobs };
  const app = createApp({ services, modules: options.modules ?? availableModules, healthChecks: options.healthChecks });

  return {
    app,
    services,
    config,
    database,
    logs,
    async call(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
        headers["content-type"] ??= "application/json";
      }
      const response = await app.request(path, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    close: async () => {
      await jobs.close();
      await closeRateLimitStore(services);
      await database.close();
    },
  };
}
