import { expect, it } from "vitest";
import { formatApiKey, generateApiKey } from "../../src/platform/auth/api-key-format.ts";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { revokeKey } from "../../src/platform/keys/revoke-key.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import type { TestApp } from "./test-app.ts";

/**
 * Shared security checks for authenticated routes. Every route's tests call
 * `describeAuthChecks` so missing, malformed, unknown, expired, revoked, wrong-scope and
 * other-org credentials are tried on every route the same way.
 */
export interface AuthFixture {
  orgA: string;
  orgB: string;
  /** Scoped for the route, bound to org A: the request should succeed with it. */
  good: string;
  /** Same scopes, bound to org B. */
  otherOrg: string;
  /** Bound to org A, lacking the route's scopes. */
  wrongScope: string;
  expired: string;
  revoked: string;
  /** Every secret the fixture made or presented, for the log scan. */
  secrets: Set<string>;
}

let orgCounter = 0;

/**
 * Two orgs and one key per failure mode, created directly through the services. With
 * `platformWide`, the keys are bound to no org (routes over data of every org, like the queue)
 * and `otherOrg` is an org-bound key with the same scopes, which such routes must refuse.
 */
export async function createAuthFixture(
  t: TestApp,
  scopes: string[],
  otherScope = "logs:read",
  options: { platformWide?: boolean } = {},
): Promise<AuthFixture> {
  const { db, config } = t.services;
  const secret = config.BACKPLANE_SECRET;
  const suffix = `${process.pid}-${++orgCounter}-${Date.now().toString(36)}`;
  const orgA = (await createOrg(db, { name: `Org A ${suffix}` })).id;
  const orgB = (await createOrg(db, { name: `Org B ${suffix}` })).id;
  const owner = options.platformWide ? null : orgA;
  const make = (name: string, orgId: string | null, keyScopes: string[]) =>
    createKey(db, { secret, name, orgId, scopes: keyScopes, createdBy: "test" });
  const good = await make("good", owner, scopes);
  const otherOrg = await make("other org", orgB, scopes);
  const wrongScope = await make("wrong scope", owner, [otherScope]);
  const expired = await make("expired", owner, scopes);
  await db.query("UPDATE backplane.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", [expired.id]);
  const revoked = await make("revoked", owner, scopes);
  await revokeKey(db, { id: revoked.id, withinOrg: null });
  const secrets = new Set([good.key, otherOrg.key, wrongScope.key, expired.key, revoked.key]);
  return {
    orgA,
    orgB,
    good: good.key,
    otherOrg: otherOrg.key,
    wrongScope: wrongScope.key,
    expired: expired.key,
    revoked: revoked.key,
    secrets,
  };
}

export interface AuthCheckOptions {
  app: () => TestApp;
  fixture: () => AuthFixture;
  /** A request that succeeds for org A with `fixture.good` (fresh per call, so mutations are fine). */
  request: (
    fixture: AuthFixture,
  ) => Promise<{ method: string; path: string; body?: unknown }> | { method: string; path: string; body?: unknown };
  /** The success status of `request`. */
  okStatus?: number;
  /** How a key bound to another org is answered: 403 on collections, 404 on single objects. */
  otherOrgStatus: 403 | 404;
}

function expectError(res: { status: number; body: { error?: { code: string } } }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error?.code).toBe(code);
}

/** A well-formed key whose last character is changed: the checksum no longer matches. */
export function withBadChecksum(key: string): string {
  const last = key.at(-1) === "a" ? "b" : "a";
  return key.slice(0, -1) + last;
}

export function describeAuthChecks(options: AuthCheckOptions): void {
  const send = async (key: string | null, headerStyle: "x-api-key" | "bearer" = "x-api-key") => {
    const fixture = options.fixture();
    const request = await options.request(fixture);
    const headers: Record<string, string> = {};
    if (key !== null) {
      fixture.secrets.add(key);
      if (headerStyle === "x-api-key") headers["x-api-key"] = key;
      else headers.authorization = `Bearer ${key}`;
    }
    return options.app().call(request.method, request.path, { body: request.body, headers });
  };

  it("accepts a valid key in X-API-Key and in Authorization: Bearer", async () => {
    const fixture = options.fixture();
    expect((await send(fixture.good)).status).toBe(options.okStatus ?? 200);
    expect((await send(fixture.good, "bearer")).status).toBe(options.okStatus ?? 200);
  });

  it("401 without a key", async () => {
    const res = await send(null);
    expectError(res, 401, "unauthorized");
    expect(res.body.details.reason).toBe("missing");
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("401 for malformed keys, including a bad checksum and another Authorization scheme", async () => {
    const fixture = options.fixture();
    for (const key of ["nope", "bp_live_short", withBadChecksum(fixture.good), `${fixture.good}x`]) {
      const res = await send(key);
      expectError(res, 401, "unauthorized");
      expect(res.body.details.reason).toBe("malformed");
    }
    const request = await options.request(fixture);
    const basic = await options
      .app()
      .call(request.method, request.path, { body: request.body, headers: { authorization: "Basic dXNlcjpwYXNz" } });
    expectError(basic, 401, "unauthorized");
  });

  it("401 for a well-formed key that does not exist", async () => {
    const res = await send(generateApiKey("live"));
    expectError(res, 401, "unauthorized");
    expect(res.body.details.reason).toBe("unknown");
    const test = await send(formatApiKey("test", "A".repeat(24)));
    expect(test.body.details.reason).toBe("unknown");
  });

  it("401 for an expired key", async () => {
    const res = await send(options.fixture().expired);
    expectError(res, 401, "unauthorized");
    expect(res.body.details.reason).toBe("expired");
  });

  it("401 for a revoked key", async () => {
    const res = await send(options.fixture().revoked);
    expectError(res, 401, "unauthorized");
    expect(res.body.details.reason).toBe("revoked");
  });

  it("403 for a key without the route's scope", async () => {
    const res = await send(options.fixture().wrongScope);
    expectError(res, 403, "forbidden");
  });

  it(`${options.otherOrgStatus} for a key bound to another org`, async () => {
    const res = await send(options.fixture().otherOrg);
    expectError(res, options.otherOrgStatus, options.otherOrgStatus === 403 ? "forbidden" : "not_found");
  });

  it("never writes a key it saw to the log", () => {
    expectNoSecretsInLogs(options.app(), options.fixture().secrets);
  });
}

/** The log scan: no line any test app wrote contains any secret the test used. */
export function expectNoSecretsInLogs(t: TestApp, secrets: Iterable<string>): void {
  expect(t.logs.length).toBeGreaterThan(0);
  const all = t.logs.join("\n");
  for (const secret of secrets) {
    if (secret.length < 8) continue; // "nope" and friends could match ordinary words
    expect(all.includes(secret), `a log line contains the secret ${secret.slice(0, 12)}…`).toBe(false);
  }
}

export interface UserAuthCheckOptions {
  app: () => TestApp;
  /** A request the signed-in user may make (fresh per call). */
  request: () => { method: string; path: string; body?: unknown };
  okStatus?: number;
}

/**
 * The shared checks for routes that take a signed-in user (`principals: ["user"]`): no
 * credentials, a dead or forged cookie, a forged or expired access token, an API key where only
 * users are taken, and, for unsafe methods, the CSRF refusal of a cross-site cookie request.
 */
export function describeUserAuthChecks(options: UserAuthCheckOptions): void {
  const secrets = new Set<string>();
  const call = (headers: Record<string, string>) => {
    const request = options.request();
    return options.app().call(request.method, request.path, { body: request.body, headers });
  };
  const signIn = async (label: string) => {
    const { signInUser, signInMobile } = await import("./sign-in.ts");
    const email = `${label}-${process.pid}-${++orgCounter}@example.test`;
    const browser = await signInUser(options.app(), email);
    secrets.add(browser.cookie.split("=")[1] as string);
    return { browser, signInMobile: () => signInMobile(options.app(), email.replace("@", "+m@")) };
  };

  it("accepts the session cookie (same-origin) and a bearer access token", async () => {
    const { browser, signInMobile } = await signIn("ok");
    expect((await call(browser.headers)).status).toBe(options.okStatus ?? 200);
    const mobile = await signInMobile();
    secrets.add(mobile.refreshToken);
    expect((await call({ authorization: `Bearer ${mobile.accessToken}` })).status).toBe(options.okStatus ?? 200);
  });

  it("401 without credentials, with an unknown or ended session cookie, and with a forged access token", async () => {
    const missing = await call({});
    expectError(missing, 401, "unauthorized");
    expect(missing.body.details.reason).toBe("missing");
    const unknown = await call({ cookie: `bp_session=${"A".repeat(43)}`, origin: "http://localhost" });
    expectError(unknown, 401, "unauthorized");
    expect(unknown.body.details.reason).toBe("session_invalid");
    const { browser } = await signIn("ended");
    await options.app().call("POST", "/api/auth/logout", { headers: browser.headers });
    expect((await call(browser.headers)).body.details?.reason).toBe("session_invalid");
    const forged = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: "usr_x", sid: "sess_x" })).toString("base64url")}.c2lnbmF0dXJl`;
    const bad = await call({ authorization: `Bearer ${forged}` });
    expectError(bad, 401, "unauthorized");
    expect(bad.body.details.reason).toBe("token_invalid");
  });

  it("401 for an API key: the route takes signed-in users only", async () => {
    const t = options.app();
    const key = await createKey(t.services.db, {
      secret: t.config.BACKPLANE_SECRET,
      name: "not a user",
      orgId: null,
      scopes: ["keys:manage"],
      createdBy: "test",
    });
    secrets.add(key.key);
    expectError(await call({ "x-api-key": key.key }), 401, "unauthorized");
  });

  it("refuses a cross-site request signed in by cookie (CSRF) on unsafe methods", async () => {
    const request = options.request();
    if (["GET", "HEAD", "OPTIONS"].includes(request.method)) return;
    const { browser } = await signIn("csrf");
    const res = await call({ cookie: browser.cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" });
    expectError(res, 403, "forbidden");
    expect(res.body.details).toEqual({ reason: "csrf" });
    expectError(await call({ cookie: browser.cookie }), 403, "forbidden");
  });

  it("never writes a session token, access or refresh token to the log", () => {
    expectNoSecretsInLogs(options.app(), secrets);
  });
}
