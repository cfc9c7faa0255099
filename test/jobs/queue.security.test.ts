import { afterAll, beforeAll, describe } from "vitest";
import { type AuthFixture, createAuthFixture, describeAuthChecks } from "../support/auth-checks.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { fastJobsEnv } from "./support/fast-env.ts";

// The queue spans every org, so its routes take platform-wide keys: the fixture's good keys are
// bound to no org and its "other org" key is an org-bound key with the same scopes (403).
let t: TestApp;
let reader: AuthFixture;
let manager: AuthFixture;

beforeAll(async () => {
  t = await createTestApp({ env: { ...fastJobsEnv, LOG_LEVEL: "trace" } });
  reader = await createAuthFixture(t, ["queue:read"], "keys:manage", { platformWide: true });
  manager = await createAuthFixture(t, ["queue:manage"], "queue:read", { platformWide: true });
});
afterAll(() => t.close());

describe("GET /api/v1/queue/metrics security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => reader,
    request: () => ({ method: "GET", path: "/api/v1/queue/metrics" }),
    otherOrgStatus: 403,
  });
});

describe("GET /api/v1/queue/dlq security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => reader,
    request: () => ({ method: "GET", path: "/api/v1/queue/dlq" }),
    otherOrgStatus: 403,
  });
});

describe("POST /api/v1/queue/dlq/replay security", () => {
  describeAuthChecks({
    app: () => t,
    fixture: () => manager,
    request: () => ({ method: "POST", path: "/api/v1/queue/dlq/replay", body: { queue: "bulk" } }),
    otherOrgStatus: 403,
  });
});
