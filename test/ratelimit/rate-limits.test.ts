import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { afterEach, describe, expect, inject, it } from "vitest";
import { startCli } from "../support/spawn-cli.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { dbKind } from "../support/test-database.ts";

const redisUrl = inject("redisUrl") || undefined;

let t: TestApp | null = null;
const children: ReturnType<typeof startCli>[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await child.done;
  }
  await t?.close();
  t = null;
});

async function setup(env: Record<string, string> = {}): Promise<TestApp> {
  // A secret of its own: counter keys are digests under it, so a shared Redis keeps no count from earlier runs.
  const secret = randomBytes(30).toString("base64url");
  t = await createTestApp({ env: { LOG_LEVEL: "warn", TRUST_PROXY_HOPS: "1", BACKPLANE_SECRET: secret, ...env }, modules: [] });
  return t;
}

const otpRequest = (app: TestApp, email: string, ip = "203.0.113.7") =>
  app.call("POST", "/api/auth/otp/request", { body: { email }, headers: { "x-forwarded-for": ip } });

function describeStore(store: "postgres" | "redis", env: () => Record<string, string>) {
  it(`OTP request: 1 per minute per email, with RateLimit-Policy, RateLimit and Retry-After (${store} store)`, async () => {
    const app = await setup(env());
    const first = await otpRequest(app, "limit@example.test");
    expect(first.status).toBe(202);
    expect(first.headers.get("ratelimit-policy")).toBe(
      '"otp-request-ip";q=30;w=3600, "otp-request-email-minute";q=1;w=60, "otp-request-email-hour";q=5;w=3600',
    );
    expect(first.headers.get("ratelimit")).toMatch(/^"otp-request-email-minute";r=0;t=(59|60)$/);

    const second = await otpRequest(app, "LIMIT@example.test");
    expect(second.status).toBe(429);
    expect(second.body.error.code).toBe("rate_limited");
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(Number(second.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    expect(second.headers.get("ratelimit")).toMatch(/^"otp-request-email-minute";r=0;t=\d+$/);
    expect(second.body.details.policy).toBe("otp-request-email-minute");
    // Another email is its own budget; the limited one queued no second code.
    expect((await otpRequest(app, "other@example.test")).status).toBe(202);
    const jobs = await app.services.db.query("SELECT 1 FROM pgboss.job WHERE data->'payload'->>'email' = 'limit@example.test'");
    expect(jobs).toHaveLength(1);
  });

  it(`OTP request: 30 per hour per IP; OTP verify: 10 per 15 minutes per email (${store} store)`, async () => {
    const app = await setup(env());
    for (let i = 0; i < 30; i++) expect((await otpRequest(app, `ip${i}@example.test`, "198.51.100.9")).status).toBe(202);
    const over = await otpRequest(app, "ip30@example.test", "198.51.100.9");
    expect(over.status).toBe(429);
    expect(over.body.details.policy).toBe("otp-request-ip");
    // Another IP is its own budget (a new email: the refused request still counted against ip30's).
    expect((await otpRequest(app, "ip31@example.test", "198.51.100.10")).status).toBe(202);

    const verify = () => app.call("POST", "/api/auth/otp/verify", { body: { email: "guess@example.test", code: "000000" } });
    for (let i = 0; i < 10; i++) expect((await verify()).status).toBe(401);
    const limited = await verify();
    expect(limited.status).toBe(429);
    expect(limited.body.details.policy).toBe("otp-verify-email");
    // The mobile sign-in shares the budget.
    expect((await app.call("POST", "/api/auth/token", { body: { email: "guess@example.test", code: "000000" } })).status).toBe(429);
  });
}

describe("rate limits", () => {
  describeStore("postgres", () => ({}));
  describe.runIf(Boolean(redisUrl))("with Redis", () => describeStore("redis", () => ({ REDIS_URL: redisUrl as string })));

  it("the Postgres store keeps keyed digests, never the email or the IP", async () => {
    const app = await setup();
    await otpRequest(app, "private@example.test", "192.0.2.44");
    const rows = await app.services.db.query<{ key: string }>("SELECT key FROM backplane.rate_limits");
    expect(rows.length).toBeGreaterThan(0);
    const all = JSON.stringify(rows);
    expect(all).not.toContain("private@example.test");
    expect(all).not.toContain("192.0.2.44");
  });

  it("RATE_LIMITS_ENABLED=false turns them off, and is refused in production", async () => {
    const app = await setup({ RATE_LIMITS_ENABLED: "false" });
    expect((await otpRequest(app, "free@example.test")).status).toBe(202);
    const again = await otpRequest(app, "free@example.test");
    expect(again.status).toBe(202);
    expect(again.headers.get("ratelimit")).toBeNull();
    const { parseConfig } = await import("../../src/platform/config/config.ts");
    expect(() =>
      parseConfig({ NODE_ENV: "production", BACKPLANE_SECRET: "s".repeat(40), SMTP_URL: "smtp://mail.test", RATE_LIMITS_ENABLED: "false" }),
    ).toThrow(/RATE_LIMITS_ENABLED/);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// Two API processes on one database need a real server (PGlite is one in-process session).
describe.runIf(dbKind === "postgres")("rate limits across two server processes", () => {
  async function twoServers(extra: Record<string, string>): Promise<string[]> {
    const app = await setup();
    const secret = randomBytes(30).toString("base64url");
    const urls: string[] = [];
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      const child = startCli(["serve", "--no-migrate"], {
        DATABASE_URL: app.database.url as string,
        BACKPLANE_SECRET: secret,
        PORT: String(port),
        LOG_LEVEL: "warn",
        TRUST_PROXY_HOPS: "1",
        ...extra,
      });
      children.push(child);
      urls.push(`http://127.0.0.1:${port}`);
    }
    for (const url of urls) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ok = await fetch(`${url}/api/health`).then(
          (res) => res.ok,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`server ${url} did not start: ${children.map((c) => c.output().stderr).join("\n")}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return urls;
  }

  const post = (url: string, email: string) =>
    fetch(`${url}/api/auth/otp/request`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": "203.0.113.50" },
      body: JSON.stringify({ email }),
    });

  const holds = (extra: () => Record<string, string>) => async () => {
    const [a, b] = (await twoServers(extra())) as [string, string];
    const email = `two-${Date.now()}@example.test`;
    expect((await post(a, email)).status).toBe(202);
    const second = await post(b, email);
    expect(second.status).toBe(429);
    expect(second.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await post(a, email)).status).toBe(429);
  };

  it(
    "a limit spent on one process holds on the other (PostgreSQL store)",
    holds(() => ({})),
  );
  it.runIf(Boolean(redisUrl))(
    "a limit spent on one process holds on the other (Redis store)",
    holds(() => ({ REDIS_URL: redisUrl as string })),
  );
});
