import { defineConfig } from "vitest/config";

// The test environment is read here, once, and handed to tests through `provide`/`inject`.
const postgresUrl = process.env.TEST_DATABASE_URL || undefined;
const redisUrl = process.env.TEST_REDIS_URL || undefined;
// A PgBouncer in transaction pooling mode in front of TEST_DATABASE_URL's server (.ci/run starts one).
const pgbouncerUrl = process.env.TEST_PGBOUNCER_URL || "";
// Where the admin console's browser test writes its page screenshots (docs/images when regenerating them).
const adminScreenshotDir = process.env.ADMIN_SCREENSHOT_DIR || "";

const shared = {
  include: ["test/**/*.test.ts"],
  globalSetup: ["test/support/global-setup.ts"],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    // `npm run test:coverage` (seed 001 S1-QA-04: 80% of backend lines): every file under src/ is
    // counted, loaded by a test or not; the summary is printed and a short fall fails the run.
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      reporter: ["text-summary", "json-summary"],
      thresholds: { lines: 80 },
      // The summary also when a test fails: the number is worth seeing either way.
      reportOnFailure: true,
    },
    projects: [
      {
        test: {
          ...shared,
          name: "pglite",
          provide: { dbKind: "pglite" as const, postgresUrl: "", redisUrl: redisUrl ?? "", pgbouncerUrl: "", adminScreenshotDir },
        },
      },
      ...(postgresUrl
        ? [
            {
              test: {
                ...shared,
                name: "postgres",
                provide: { dbKind: "postgres" as const, postgresUrl, redisUrl: redisUrl ?? "", pgbouncerUrl, adminScreenshotDir },
              },
            },
          ]
        : []),
    ],
  },
});
