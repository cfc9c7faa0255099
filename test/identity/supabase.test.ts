import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/platform/config/config.ts";
import { createSupabaseVerifier } from "../../src/platform/identity/supabase-token.ts";
import { createOrg } from "../../src/platform/orgs/create-org.ts";
import { signInUser } from "../support/sign-in.ts";
import { createTestApp, TEST_SECRET, type TestApp } from "../support/test-app.ts";

// Supabase Auth's access tokens, as supabase-js sends them: HS256 under the project's JWT secret,
// or ES256/RS256 under a key published at the project's JWKS URL (a local server here).
const ISSUER = "https://abcdefghijklmnop.supabase.co/auth/v1";
const HS_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** A JWKS endpoint on loopback whose keys the test can rotate, counting fetches. */
class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  private server: Server = createServer((req, res) => {
    this.fetches++;
    if (req.url !== "/auth/v1/.well-known/jwks.json") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: this.keys }));
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/auth/v1/.well-known/jwks.json`;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function publicJwk(pair: KeyPair, kid: string, alg: string): Promise<JWK> {
  return { ...(await exportJWK(pair.publicKey)), kid, alg, use: "sig" };
}

let counter = 0;
const freshEmail = (label: string) => `${label}-${process.pid}-${++counter}@example.test`;

/** A Supabase-shaped access token payload (what GoTrue puts in one). */
function claims(email: string, overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    aud: "authenticated",
    sub: crypto.randomUUID(),
    email,
    role: "authenticated",
    session_id: crypto.randomUUID(),
    iat: now,
    exp: now + 3600,
    user_metadata: { email_verified: true },
    ...overrides,
  };
}

const signHs = (payload: JWTPayload, secret = HS_SECRET, alg = "HS256") =>
  new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(new TextEncoder().encode(secret));
const signWith = (payload: JWTPayload, pair: KeyPair, kid: string, alg: string) =>
  new SignJWT(payload).setProtectedHeader({ alg, kid, typ: "JWT" }).sign(pair.privateKey);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

let t: TestApp;
let jwks: JwksServer;
let jwksUrl: string;
let es: KeyPair;
let rs: KeyPair;

beforeAll(async () => {
  jwks = new JwksServer();
  jwksUrl = await jwks.start();
  es = await generateKeyPair("ES256");
  rs = await generateKeyPair("RS256");
  jwks.keys = [await publicJwk(es, "es-1", "ES256"), await publicJwk(rs, "rs-1", "RS256")];
  t = await createTestApp({
    env: {
      LOG_LEVEL: "info",
      RATE_LIMITS_ENABLED: "false",
      SUPABASE_JWT_SECRET: HS_SECRET,
      SUPABASE_JWKS_URL: jwksUrl,
      SUPABASE_JWT_ISSUER: ISSUER,
    },
  });
});
afterAll(async () => {
  await t?.close();
  await jwks?.close();
});

const asBearer = (token: string) => t.call("GET", "/api/drafts/me", { headers: { authorization: `Bearer ${token}` } });
const expectRefused = async (token: string, why: string) => {
  const res = await asBearer(token);
  expect(res.status, `${why}: ${res.text}`).toBe(401);
  expect(res.body.error.code).toBe("unauthorized");
};
const linkOf = (subject: string) =>
  t.services.db.query<{ user_id: string; email: string }>(
    "SELECT e.user_id, u.email FROM backplane.external_identities e JOIN backplane.users u ON u.id = e.user_id WHERE e.subject = $1",
    [subject],
  );

describe("Authorization: Bearer <Supabase access token>", () => {
  it("a valid HS256 token is a signed-in user: created and linked by email on first sight, the link kept", async () => {
    const email = freshEmail("hs");
    const payload = claims(email.toUpperCase());
    const res = await asBearer(await signHs(payload));
    expect(res.status, res.text).toBe(200);
    const [link] = await linkOf(payload.sub as string);
    expect(link?.email).toBe(email);
    const session = await t.call("GET", "/api/auth/session", { headers: { authorization: `Bearer ${await signHs(payload)}` } });
    expect(session.body.user).toMatchObject({ id: link?.user_id, email });
    // The same Supabase user with a changed email is still the same platform user: the link is by subject.
    const renamed = await asBearer(await signHs({ ...payload, email: freshEmail("renamed") }));
    expect(renamed.status).toBe(200);
    expect(await linkOf(payload.sub as string)).toEqual([link]);
    const audit = await t.services.db.query<{ action: string }>(
      "SELECT action FROM backplane.audit_events WHERE target_id = $1 ORDER BY seq",
      [link?.user_id],
    );
    expect(audit.map((row) => row.action)).toEqual(["user.created", "user.identity_linked"]);
  });

  it("links to the platform user who already has the email (signed in by code before)", async () => {
    const email = freshEmail("existing");
    const existing = await signInUser(t, email);
    const saved = await t.call("PUT", "/api/drafts/me", { headers: existing.headers, body: { payload: { from: "cookie" } } });
    expect(saved.status).toBe(200);
    const payload = claims(email);
    const res = await asBearer(await signHs(payload));
    expect(res.status, res.text).toBe(200);
    expect(res.body.payload).toEqual({ from: "cookie" });
    expect((await linkOf(payload.sub as string))[0]?.user_id).toBe(existing.userId);
  });

  it("is not linked by email to an existing org owner or admin, or a platform admin, unless SUPABASE_LINK_PRIVILEGED_BY_EMAIL=true", async () => {
    const org = await createOrg(t.services.db, { name: "privileged org" });
    const privileged: { email: string; userId: string }[] = [];
    for (const role of ["owner", "admin"]) {
      const user = await signInUser(t, freshEmail(`org-${role}`));
      await t.services.db.query("INSERT INTO backplane.org_members (org_id, user_id, role) VALUES ($1, $2, $3)", [
        org.id,
        user.userId,
        role,
      ]);
      privileged.push(user);
    }
    const platformAdmin = await signInUser(t, freshEmail("platform-admin"));
    await t.services.db.query("UPDATE backplane.users SET role = 'admin' WHERE id = $1", [platformAdmin.userId]);
    privileged.push(platformAdmin);
    for (const user of privileged) {
      const payload = claims(user.email);
      const res = await asBearer(await signHs(payload));
      expect(res.status, `${user.email}: ${res.text}`).toBe(401);
      expect(res.body.error.message).toMatch(/SUPABASE_LINK_PRIVILEGED_BY_EMAIL/);
      expect(await linkOf(payload.sub as string)).toEqual([]);
    }
    // A plain member is linked as before (the test above); with the flag, so are they.
    const trusting = await createTestApp({
      env: {
        RATE_LIMITS_ENABLED: "false",
        SUPABASE_JWT_SECRET: HS_SECRET,
        SUPABASE_JWT_ISSUER: ISSUER,
        SUPABASE_LINK_PRIVILEGED_BY_EMAIL: "true",
      },
    });
    try {
      const owner = await signInUser(trusting, freshEmail("trusted-owner"));
      const other = await createOrg(trusting.services.db, { name: "trusting org" });
      await trusting.services.db.query("INSERT INTO backplane.org_members (org_id, user_id, role) VALUES ($1, $2, 'owner')", [
        other.id,
        owner.userId,
      ]);
      const res = await trusting.call("GET", "/api/auth/session", {
        headers: { authorization: `Bearer ${await signHs(claims(owner.email))}` },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.user.id).toBe(owner.userId);
    } finally {
      await trusting.close();
    }
  });

  it("a valid ES256 or RS256 token from the JWKS URL is accepted; the key set is fetched once and cached", async () => {
    const before = jwks.fetches;
    for (let i = 0; i < 3; i++) {
      const es256 = await asBearer(await signWith(claims(freshEmail("es")), es, "es-1", "ES256"));
      expect(es256.status, es256.text).toBe(200);
      const rs256 = await asBearer(await signWith(claims(freshEmail("rs")), rs, "rs-1", "RS256"));
      expect(rs256.status, rs256.text).toBe(200);
    }
    expect(jwks.fetches - before).toBeLessThanOrEqual(1);
  });

  it("401 for an expired token, a wrong audience, a wrong issuer, and an anonymous user's token", async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await signHs(claims(freshEmail("exp"), { iat: now - 7200, exp: now - 1 })), "expired");
    await expectRefused(await signWith(claims(freshEmail("exp"), { exp: now - 1 }), es, "es-1", "ES256"), "expired (JWKS)");
    await expectRefused(await signHs(claims(freshEmail("aud"), { aud: "anon" })), "wrong audience");
    await expectRefused(await signHs(claims(freshEmail("aud"), { aud: undefined })), "no audience");
    await expectRefused(await signHs(claims(freshEmail("iss"), { iss: "https://otherproject.supabase.co/auth/v1" })), "wrong issuer");
    await expectRefused(
      await signWith(claims(freshEmail("iss"), { iss: "https://evil.example/auth/v1" }), es, "es-1", "ES256"),
      "wrong issuer (JWKS)",
    );
    await expectRefused(await signHs(claims(freshEmail("noexp"), { exp: undefined })), "no expiry");
    await expectRefused(await signHs(claims("", { email: undefined, is_anonymous: true })), "anonymous (no email)");
    const anonymous = freshEmail("anonymous");
    await expectRefused(await signHs(claims(anonymous, { is_anonymous: true })), "anonymous (with an email)");
    expect(await t.services.db.query("SELECT 1 FROM backplane.users WHERE email = $1", [anonymous])).toEqual([]);
  });

  it("decides nothing on user_metadata (the user edits it with supabase-js updateUser): only claims Supabase sets", async () => {
    // `email_verified: true` there proves nothing, so it must not open an account the link would not.
    const owner = await signInUser(t, freshEmail("meta-owner"));
    const org = await createOrg(t.services.db, { name: "meta org" });
    await t.services.db.query("INSERT INTO backplane.org_members (org_id, user_id, role) VALUES ($1, $2, 'owner')", [org.id, owner.userId]);
    const claimed = claims(owner.email, { user_metadata: { email_verified: true }, app_metadata: { provider: "email" } });
    await expectRefused(await signHs(claimed), "user_metadata.email_verified: true on an org owner's address");
    // And `false` there does not refuse a token by itself: the user could write either value.
    const plain = freshEmail("meta-false");
    expect((await asBearer(await signHs(claims(plain, { user_metadata: { email_verified: false } })))).status).toBe(200);
  });

  it("401 for alg none, other algorithms, and a key-confusion token (HS256 signed with the public key)", async () => {
    const payload = claims(freshEmail("none"));
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;
    await expectRefused(unsigned, "alg none, empty signature");
    await expectRefused(`${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.AAAA`, "alg none with junk signature");
    await expectRefused(`${b64({ alg: "None", typ: "JWT" })}.${b64(payload)}.AAAA`, "alg None");
    await expectRefused(await signHs(payload, HS_SECRET, "HS512"), "HS512 under the right secret");
    await expectRefused(await signHs(payload, HS_SECRET, "HS384"), "HS384 under the right secret");
    const publicPem = JSON.stringify(jwks.keys[0]);
    await expectRefused(await signHs(payload, publicPem.padEnd(64, "x")), "HS256 under the public key");
    const otherEs = await generateKeyPair("ES256");
    await expectRefused(await signWith(payload, otherEs, "es-1", "ES256"), "ES256 under an unknown key with a known kid");
    await expectRefused(await signWith(payload, otherEs, "es-unknown", "ES256"), "ES256 under an unpublished kid");
    await expectRefused(await signWith(payload, es, "es-1", "ES384").catch(() => "eyJh.eyJh.AAAA"), "ES384");
    expect(await linkOf(payload.sub as string)).toEqual([]);
  });

  it("401 for a tampered signature or payload", async () => {
    const payload = claims(freshEmail("tamper"));
    const token = await signHs(payload);
    const [header, body, signature] = token.split(".") as [string, string, string];
    const flipped = signature.slice(0, -2) + (signature.at(-2) === "A" ? "B" : "A") + signature.at(-1);
    await expectRefused(`${header}.${body}.${flipped}`, "tampered signature");
    const forged = b64({ ...payload, email: freshEmail("victim"), sub: crypto.randomUUID() });
    await expectRefused(`${header}.${forged}.${signature}`, "tampered payload");
    const es256 = await signWith(claims(freshEmail("tamper-es")), es, "es-1", "ES256");
    const [h2, , s2] = es256.split(".") as [string, string, string];
    await expectRefused(`${h2}.${forged}.${s2}`, "tampered payload (JWKS)");
  });

  it("leaves Backplane's own access tokens and cookies working, and signs a Supabase user into every user route (privacy export)", async () => {
    const email = freshEmail("both");
    const native = await signInUser(t, email);
    expect((await t.call("GET", "/api/drafts/me", { headers: native.headers })).status).toBe(200);
    const token = await signHs(claims(email));
    const exported = await t.call("POST", "/api/privacy/export", { headers: { authorization: `Bearer ${token}` } });
    expect(exported.status, exported.text).toBe(202);
    // Bearer tokens are not sent by browsers on their own: no CSRF check, as for Backplane's access tokens.
    const read = await t.call("GET", `/api/privacy/export/${exported.body.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(t.logs.join("\n")).not.toContain(token);
  });
});

describe("the JWKS cache", () => {
  const config = () =>
    parseConfig({ NODE_ENV: "test", BACKPLANE_SECRET: TEST_SECRET, SUPABASE_JWKS_URL: jwksUrl, SUPABASE_JWT_ISSUER: ISSUER });

  it("follows a key rotation: a token under a new kid refetches the set; a retired key stops working", async () => {
    const verifier = createSupabaseVerifier(config(), { jwksCooldownMs: 0 });
    if (!verifier) throw new Error("verifier not configured");
    const before = jwks.fetches;
    const oldToken = await signWith(claims(freshEmail("rot")), es, "es-1", "ES256");
    expect(await verifier.verify(oldToken, new Date())).not.toBeNull();
    const next = await generateKeyPair("ES256");
    const saved = jwks.keys;
    jwks.keys = [await publicJwk(next, "es-2", "ES256")];
    try {
      const fresh = await verifier.verify(await signWith(claims(freshEmail("rot")), next, "es-2", "ES256"), new Date());
      expect(fresh?.email).toMatch(/^rot-/);
      expect(await verifier.verify(await signWith(claims(freshEmail("rot")), es, "es-1", "ES256"), new Date())).toBeNull();
      expect(jwks.fetches - before).toBeGreaterThanOrEqual(2);
    } finally {
      jwks.keys = saved;
    }
  });

  it("a flood of tokens naming unknown kids refetches at most once per cooldown", async () => {
    const verifier = createSupabaseVerifier(config());
    if (!verifier) throw new Error("verifier not configured");
    await verifier.verify(await signWith(claims(freshEmail("warm")), es, "es-1", "ES256"), new Date());
    const before = jwks.fetches;
    const stranger = await generateKeyPair("ES256");
    for (let i = 0; i < 20; i++) {
      expect(await verifier.verify(await signWith(claims(freshEmail("flood")), stranger, `kid-${i}`, "ES256"), new Date())).toBeNull();
    }
    expect(jwks.fetches - before).toBeLessThanOrEqual(1);
  });

  it("a key set that cannot be fetched is a 503 (service_unavailable), not a 401", async () => {
    const down = new JwksServer();
    const url = await down.start();
    await down.close(); // nothing listens there any more
    const verifier = createSupabaseVerifier(
      parseConfig({ NODE_ENV: "test", BACKPLANE_SECRET: TEST_SECRET, SUPABASE_JWKS_URL: url, SUPABASE_JWT_ISSUER: ISSUER }),
    );
    const token = await signWith(claims(freshEmail("down")), es, "es-1", "ES256");
    await expect(verifier?.verify(token, new Date())).rejects.toMatchObject({ code: "service_unavailable", status: 503 });
  });

  it("without Supabase configured, a Supabase token is just an invalid bearer (401), and the config requires an issuer", async () => {
    const plain = await createTestApp({ env: { RATE_LIMITS_ENABLED: "false" } });
    try {
      const res = await plain.call("GET", "/api/drafts/me", {
        headers: { authorization: `Bearer ${await signHs(claims(freshEmail("off")))}` },
      });
      expect(res.status).toBe(401);
    } finally {
      await plain.close();
    }
    expect(() => parseConfig({ NODE_ENV: "test", SUPABASE_JWT_SECRET: HS_SECRET })).toThrow(/SUPABASE_JWT_ISSUER/);
    expect(() =>
      parseConfig({
        NODE_ENV: "production",
        BACKPLANE_SECRET: TEST_SECRET,
        SMTP_URL: "smtp://x:1",
        SUPABASE_JWKS_URL: jwksUrl,
        SUPABASE_JWT_ISSUER: ISSUER,
      }),
    ).toThrow(/SUPABASE_JWKS_URL: must be https/);
  });
});
