import { createHmac, createSecretKey, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hmacSha256 } from "../../src/platform/auth/hmac-sha256.ts";

describe("hmacSha256", () => {
  it("gives createHmac's bytes for keys shorter than, equal to and longer than a block, and any message", () => {
    for (const keyBytes of [0, 1, 32, 63, 64, 65, 200]) {
      const raw = randomBytes(keyBytes);
      const sign = hmacSha256(createSecretKey(raw));
      for (const message of ["", "a", "org_1\u0000eyJ9", "ü€𝄞 ".repeat(40), randomBytes(300).toString("latin1")]) {
        expect(sign(message).equals(createHmac("sha256", raw).update(message).digest()), `${keyBytes}-byte key`).toBe(true);
      }
    }
  });
});
