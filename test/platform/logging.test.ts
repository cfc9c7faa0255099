import type { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createKey } from "../../src/platform/keys/create-key.ts";
import { createLogger, lazyChild } from "../../src/platform/observability/logger.ts";
import { createTestApp } from "../support/test-app.ts";

describe("log redaction", () => {
  it("drops auth headers and any field named like a secret, at any depth", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", destination: { write: (line: string) => lines.push(line) } as unknown as Writable });
    log.info(
      {
        req: { headers: { authorization: "Bearer tok-AAA", cookie: "sid=COOKIE-BBB", "x-api-key": "bp_live_CCC" } },
        res: { headers: { "set-cookie": "sid=COOKIE-DDD" } },
        user: { email: "a@example.com", password: "pw-EEE", otp: "123456", profile: { apiKey: "key-FFF", refresh_token: "rt-GGG" } },
        clientSecret: "sec-HHH",
        list: [{ sessionToken: "st-III" }],
      },
      "hello",
    );
    const text = lines.join("");
    for (const secret of [
      "tok-AAA",
      "COOKIE-BBB",
      "bp_live_CCC",
      "COOKIE-DDD",
      "pw-EEE",
      "123456",
      "key-FFF",
      "rt-GGG",
      "sec-HHH",
      "st-III",
    ]) {
      expect(text).not.toContain(secret);
    }
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line.user.email).toBe("a@example.com");
    expect(line.msg).toBe("hello");
  });
});

describe("log redaction keeps ids", () => {
  it("logs key ids and other non-secret names that merely contain a secret word, and still hides secret-named fields", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", destination: { write: (line: string) => lines.push(line) } as unknown as Writable });
    log.info(
      {
        createdKeyId: "key_created1",
        revokedKeyId: "key_revoked1",
        rotatedKeyId: "key_rotated1",
        keyId: "key_plain1",
        keyPrefix: "bp_live_Ab",
        tokenId: "tok_id1",
        monkeyCount: 3,
        nested: { successorKeyId: "key_next1" },
        key: "bp_live_SECRET1",
        accesstoken: "at-SECRET2",
        "x-api-key": "bp_live_SECRET3",
        webhookSecret: "whs-SECRET4",
        emailOtp: "SECRET5",
        "set-cookie": "sid=SECRET6",
        privateKey: "SECRET7",
        db: { credentials: { user: "u", pass: "SECRET8" } },
      },
      "keys",
    );
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line).toMatchObject({
      createdKeyId: "key_created1",
      revokedKeyId: "key_revoked1",
      rotatedKeyId: "key_rotated1",
      keyId: "key_plain1",
      keyPrefix: "bp_live_Ab",
      tokenId: "tok_id1",
      monkeyCount: 3,
      nested: { successorKeyId: "key_next1" },
    });
    const text = lines.join("");
    for (let n = 1; n <= 8; n++) expect(text).not.toContain(`SECRET${n}`);
  });
});

describe("key management leaves a trail in the log", () => {
  it("logs the created and revoked key ids, never the key; lines carry the request id and, after auth, the key's id", async () => {
    const t = await createTestApp();
    try {
      const admin = await createKey(t.services.db, {
        secret: t.config.BACKPLANE_SECRET,
        scopes: ["keys:manage"],
        createdBy: "test",
        name: "platform",
        orgId: null,
      });
      const created = await t.call("POST", "/api/v1/keys", {
        headers: { "x-api-key": admin.key, "x-request-id": "req_logged_1" },
        body: { name: "logged", orgId: null, scopes: ["keys:manage"] },
      });
      expect(created.status).toBe(201);
      const revoked = await t.call("DELETE", `/api/v1/keys/${created.body.id}`, { headers: { "x-api-key": admin.key } });
      expect(revoked.status).toBeLessThan(300);
      const lines = t.logs.map((line) => JSON.parse(line));
      expect(lines.find((line) => line.msg === "api key created")).toMatchObject({
        createdKeyId: created.body.id,
        requestId: "req_logged_1",
        principal: admin.id,
      });
      expect(lines.find((line) => line.msg === "request" && line.requestId === "req_logged_1")).toMatchObject({
        path: "/api/v1/keys",
        status: 201,
      });
      expect(lines.find((line) => line.msg === "api key revoked")?.revokedKeyId).toBe(created.body.id);
      expect(t.logs.join("")).not.toContain(created.body.key);
      expect(t.logs.join("")).not.toContain(admin.key);
    } finally {
      await t.close();
    }
  });
});

describe("lazyChild", () => {
  const capture = (level: string) => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ level, destination: { write: (line: string) => lines.push(JSON.parse(line)) } as unknown as Writable });
    return { log, lines };
  };

  it("logs with its own and its parents' bindings, at the parent's level, through nested children", () => {
    const { log, lines } = capture("info");
    const child = lazyChild(log, { requestId: "r1" }).child({ principal: "key_1" });
    child.debug("hidden");
    child.info({ n: 1 }, "shown");
    child.error({ apiKey: "secret-value" }, "failed");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ requestId: "r1", principal: "key_1", n: 1, msg: "shown", level: 30 });
    expect(lines[1]).toMatchObject({ requestId: "r1", principal: "key_1", apiKey: "[redacted]", level: 50 });
    expect(child.isLevelEnabled("debug")).toBe(false);
    expect(child.level).toBe("info");
    expect(child.bindings()).toMatchObject({ requestId: "r1", principal: "key_1" });
  });

  it("builds no pino child while nothing is logged at an enabled level", () => {
    const { log, lines } = capture("warn");
    let made = 0;
    const counting = new Proxy(log, {
      get(target, property, receiver) {
        if (property === "child") {
          return (...args: Parameters<typeof log.child>) => {
            made++;
            return target.child(...args);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    });
    const child = lazyChild(counting, { requestId: "r2" }).child({ principal: "key_2" });
    child.info("below the level");
    expect(made).toBe(0);
    child.warn("at the level");
    expect(made).toBe(1);
    expect(lines).toEqual([expect.objectContaining({ requestId: "r2", principal: "key_2", msg: "at the level" })]);
  });
});
