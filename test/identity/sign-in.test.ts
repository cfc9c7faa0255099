import { afterEach, describe, expect, it } from "vitest";
import { communityModule } from "../../src/modules/community/module.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import type { BackplaneModule } from "../../src/platform/module.ts";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import { expectNoSecretsInLogs } from "../support/auth-checks.ts";
import { queuedSignInCode, sameOrigin, sessionCookieFrom, signInUser } from "../support/sign-in.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp | null = null;
let worker: RunningWorker | null = null;
let sink: SmtpSink | null = null;

afterEach(async () => {
  await worker?.stop(0);
  worker = null;
  await t?.close();
  t = null;
  await sink?.close();
  sink = null;
});

async function setup(env: Record<string, string> = {}, modules: BackplaneModule[] = []): Promise<TestApp> {
  // Several codes per email within a minute: the limits have their own tests (rate-limits.test.ts).
  t = await createTestApp({ env: { LOG_LEVEL: "info", RATE_LIMITS_ENABLED: "false", ...env }, modules });
  return t;
}

const request = (app: TestApp, email: string) => app.call("POST", "/api/auth/otp/request", { body: { email } });
const verify = (app: TestApp, email: string, code: string, headers: Record<string, string> = {}) =>
  app.call("POST", "/api/auth/otp/verify", { body: { email, code }, headers });
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

describe("email OTP sign-in", () => {
  it("request -> the mail arrives over real SMTP -> the code verifies -> the cookie works on /api/drafts/me -> logout ends it", async () => {
    sink = await startSmtpSink();
    const app = await setup({ ...fastJobsEnv, LOG_LEVEL: "info", SMTP_URL: sink.url, MAIL_FROM: "Community Rule <auth@example.test>" }, [
      communityModule,
    ]);
    worker = await startWorker(app.services, []);

    const requested = await request(app, "  Ada@Example.TEST ");
    expect(requested.status).toBe(202);
    const mail = await sink.waitForMail("ada@example.test");
    expect(mail.subject).toBe("Your sign-in code");
    expect(mail.from?.value[0]?.address).toBe("auth@example.test");
    const code = /\b(\d{6})\b/.exec(mail.text ?? "")?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    expect(mail.html).toContain(code);

    const verified = await verify(app, "ada@example.test", code);
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.user).toMatchObject({ email: "ada@example.test", role: "user" });
    expect(verified.body.user.id).toMatch(/^usr_[0-9a-z]+$/);
    const cookie = sessionCookieFrom(verified.headers);

    const session = await app.call("GET", "/api/auth/session", { headers: { cookie } });
    expect(session.body).toEqual({ user: verified.body.user });
    const saved = await app.call("PUT", "/api/drafts/me", { body: { payload: { step: "values" } }, headers: { cookie, ...sameOrigin } });
    expect(saved.status, saved.text).toBe(200);
    expect((await app.call("GET", "/api/drafts/me", { headers: { cookie } })).body.payload).toEqual({ step: "values" });

    const out = await app.call("POST", "/api/auth/logout", { headers: { cookie, ...sameOrigin } });
    expect(out.status).toBe(200);
    expect(out.body).toEqual({ ok: true, endedSessions: 1 });
    expect(out.headers.getSetCookie().some((line) => /^bp_session=;.*Max-Age=0/.test(line))).toBe(true);
    expect((await app.call("GET", "/api/auth/session", { headers: { cookie } })).body).toEqual({ user: null });
    expect((await app.call("GET", "/api/drafts/me", { headers: { cookie } })).status).toBe(401);

    // The code was used: it does not sign in twice. Nothing secret reached the log.
    expect((await verify(app, "ada@example.test", code)).body.error.code).toBe("otp_invalid");
    expectNoSecretsInLogs(app, [code, cookie.split("=")[1] as string]);
  });

  it("the cookie: bp_session, HttpOnly, SameSite=Lax, Path=/, 30 days; __Host- and Secure over HTTPS", async () => {
    const app = await setup();
    await request(app, "cookie@example.test");
    const res = await verify(app, "cookie@example.test", await queuedSignInCode(app, "cookie@example.test"));
    const [line] = res.headers.getSetCookie();
    expect(line).toMatch(/^bp_session=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);

    await request(app, "cookie@example.test");
    const code = await queuedSignInCode(app, "cookie@example.test");
    const secure = await app.app.request("https://api.example.test/api/auth/otp/verify", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "cookie@example.test", code }),
    });
    expect(secure.status).toBe(200);
    expect(secure.headers.getSetCookie()[0]).toMatch(
      /^__Host-bp_session=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  it("answers known and unknown emails identically", async () => {
    const app = await setup();
    await signInUser(app, "known@example.test");
    const known = await request(app, "known@example.test");
    const unknown = await request(app, "nobody-here@example.test");
    expect(known.status).toBe(unknown.status);
    expect(known.body).toEqual(unknown.body);
    expect([...known.headers.keys()].sort()).toEqual([...unknown.headers.keys()].sort());
  });

  it("three wrong codes void the code; the right one then fails with otp_attempts_exceeded", async () => {
    const app = await setup();
    await request(app, "guess@example.test");
    const code = await queuedSignInCode(app, "guess@example.test");
    const first = await verify(app, "guess@example.test", wrong(code));
    expect(first.status).toBe(401);
    expect(first.body.error.code).toBe("otp_invalid");
    expect(first.body.details).toEqual({ attemptsRemaining: 2 });
    expect((await verify(app, "guess@example.test", wrong(code))).body.error.code).toBe("otp_invalid");
    expect((await verify(app, "guess@example.test", wrong(code))).body.error.code).toBe("otp_attempts_exceeded");
    const right = await verify(app, "guess@example.test", code);
    expect(right.status).toBe(401);
    expect(right.body.error.code).toBe("otp_attempts_exceeded");
    expect(right.headers.getSetCookie()).toEqual([]);
  });

  it("an expired code fails with otp_expired (clock moved past OTP_TTL_SECONDS)", async () => {
    const app = await setup({ OTP_TTL_SECONDS: "120" });
    await request(app, "late@example.test");
    const code = await queuedSignInCode(app, "late@example.test");
    const start = Date.now();
    app.services.clock = () => new Date(start + 121_000);
    const res = await verify(app, "late@example.test", code);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("otp_expired");
    app.services.clock = () => new Date(start + 100_000);
    expect((await verify(app, "late@example.test", code)).status).toBe(200);
  });

  it("a second request voids the first code", async () => {
    const app = await setup();
    await request(app, "twice@example.test");
    const first = await queuedSignInCode(app, "twice@example.test");
    await request(app, "twice@example.test");
    const second = await queuedSignInCode(app, "twice@example.test");
    if (first !== second) expect((await verify(app, "twice@example.test", first)).body.error.code).toBe("otp_invalid");
    expect((await verify(app, "twice@example.test", second)).status).toBe(200);
  });

  it("creates the user once (email stored lower-cased); a new sign-in rotates the token and ends the old session", async () => {
    const app = await setup();
    const a = await signInUser(app, "Rotate@Example.test");
    await request(app, "rotate@example.test");
    const code = await queuedSignInCode(app, "rotate@example.test");
    const again = await verify(app, "ROTATE@example.test", code, { cookie: a.cookie });
    expect(again.body.user.id).toBe(a.userId);
    const next = sessionCookieFrom(again.headers);
    expect(next).not.toBe(a.cookie);
    expect((await app.call("GET", "/api/auth/session", { headers: { cookie: a.cookie } })).body.user).toBeNull();
    expect((await app.call("GET", "/api/auth/session", { headers: { cookie: next } })).body.user.id).toBe(a.userId);
    const users = await app.services.db.query<{ email: string }>("SELECT email FROM backplane.users WHERE email LIKE 'rotate@%'");
    expect(users).toEqual([{ email: "rotate@example.test" }]);
    const audit = await app.services.db.query<{ action: string }>(
      "SELECT action FROM backplane.audit_events WHERE actor_id = $1 ORDER BY seq",
      [a.userId],
    );
    expect(audit.map((row) => row.action)).toEqual(["user.created", "session.started", "session.started"]);
  });

  it("stores neither the code nor the session token: only digests", async () => {
    const app = await setup();
    await request(app, "digest@example.test");
    const code = await queuedSignInCode(app, "digest@example.test");
    const res = await verify(app, "digest@example.test", code);
    const token = sessionCookieFrom(res.headers).split("=")[1] as string;
    const dump = JSON.stringify([
      await app.services.db.query("SELECT * FROM backplane.otp_challenges"),
      await app.services.db.query("SELECT * FROM backplane.sessions"),
      await app.services.db.query("SELECT data FROM pgboss.job"),
    ]);
    expect(dump).not.toContain(token);
    expect(dump.includes(`"${code}"`) || dump.includes(`is ${code}`)).toBe(false);
  });

  it("logout?all=true ends every session of the user; a session ended elsewhere is a dead cookie (cleared)", async () => {
    const app = await setup();
    const one = await signInUser(app, "many@example.test");
    const two = await signInUser(app, "many@example.test");
    const other = await signInUser(app, "other@example.test");
    const res = await app.call("POST", "/api/auth/logout?all=true", { headers: one.headers });
    expect(res.body).toEqual({ ok: true, endedSessions: 2 });
    const dead = await app.call("GET", "/api/auth/session", { headers: { cookie: two.cookie } });
    expect(dead.body).toEqual({ user: null });
    expect(dead.headers.getSetCookie().some((line) => line.startsWith("bp_session=;"))).toBe(true);
    expect((await app.call("GET", "/api/auth/session", { headers: { cookie: other.cookie } })).body.user.email).toBe("other@example.test");
  });

  it("refuses a cross-site logout by cookie (CSRF): 403, the session survives", async () => {
    const app = await setup();
    const user = await signInUser(app, "csrf@example.test");
    const attempts: Record<string, string>[] = [
      { cookie: user.cookie },
      { cookie: user.cookie, origin: "https://evil.example" },
      { cookie: user.cookie, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
    ];
    for (const headers of attempts) {
      const res = await app.call("POST", "/api/auth/logout", { headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.body.details).toEqual({ reason: "csrf" });
    }
    expect((await app.call("GET", "/api/auth/session", { headers: { cookie: user.cookie } })).body.user.email).toBe("csrf@example.test");
    expect((await app.call("POST", "/api/auth/logout", { headers: { cookie: user.cookie, origin: "http://localhost" } })).status).toBe(200);
  });

  it("sessions slide at most once an hour and never past 90 days", async () => {
    const app = await setup();
    const user = await signInUser(app, "slide@example.test");
    const start = Date.now();
    const at = (ms: number) => {
      app.services.clock = () => new Date(start + ms);
    };
    const day = 86_400_000;
    at(30 * 60_000);
    const early = await app.call("GET", "/api/auth/session", { headers: { cookie: user.cookie } });
    expect(early.headers.getSetCookie()).toEqual([]);
    for (let days = 20; days < 90; days += 20) {
      at(days * day);
      const res = await app.call("GET", "/api/auth/session", { headers: { cookie: user.cookie } });
      expect(res.body.user?.email, `day ${days}`).toBe("slide@example.test");
      expect(res.headers.getSetCookie()[0]).toMatch(/^bp_session=.*Max-Age=\d+/);
    }
    at(90 * day + 1000);
    expect((await app.call("GET", "/api/auth/session", { headers: { cookie: user.cookie } })).body.user).toBeNull();
  });

  it("rejects malformed input with 400 and changes nothing", async () => {
    const app = await setup();
    for (const body of [{}, { email: "not-an-email" }, { email: 42 }, { email: "a@b.c".padStart(400, "a") }]) {
      const res = await app.call("POST", "/api/auth/otp/request", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    for (const body of [
      { email: "x@example.test" },
      { email: "x@example.test", code: "12345" },
      { email: "x@example.test", code: "abcdef" },
    ]) {
      expect((await app.call("POST", "/api/auth/otp/verify", { body })).status).toBe(400);
    }
    expect((await app.call("POST", "/api/auth/otp/request", { body: "{nope" })).body.error.code).toBe("invalid_json");
    expect((await app.call("POST", "/api/auth/logout?all=maybe", { headers: sameOrigin })).status).toBe(400);
    expect(await app.services.db.query("SELECT 1 FROM backplane.otp_challenges")).toEqual([]);
  });
});
