import type { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/platform/observability/logger.ts";

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
