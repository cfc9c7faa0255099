import { afterAll, beforeAll, describe } from "vitest";
import { describeUserAuthChecks } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

// The REST mirrors of the sync procedures take signed-in users only: the shared credential
// checks (no credentials, dead cookie, forged token, API key, CSRF). Cross-user isolation is in
// sync.test.ts ("another user's records…", both transports).
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMITS_ENABLED: "false" } });
});
afterAll(async () => {
  await t?.close();
});

describe("GET /api/sync/pull credentials", () => {
  describeUserAuthChecks({ app: () => t, request: () => ({ method: "GET", path: "/api/sync/pull?last_pulled_at=null&schema_version=1" }) });
});

describe("POST /api/sync/push credentials", () => {
  describeUserAuthChecks({
    app: () => t,
    request: () => ({
      method: "POST",
      path: `/api/sync/push?last_pulled_at=${Date.now()}`,
      body: { training_plans: { created: [], updated: [], deleted: [] } },
    }),
  });
});
