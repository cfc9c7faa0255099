import { describe, expect, it } from "vitest";
import { tokenKeyRing } from "../../src/modules/training/providers/token-crypto.ts";

const secretA = "training-test-secret-A-0123456789-abcdefghij";
const secretB = "training-test-secret-B-0123456789-abcdefghij";

describe("provider token encryption", () => {
  it("round-trips and never stores the plain token", () => {
    const ring = tokenKeyRing(secretA);
    const sealed = ring.seal("strava-access-token-123", "pcn_1:access");
    expect(sealed).not.toContain("strava-access-token-123");
    expect(sealed.startsWith(`v1.${ring.currentId}.`)).toBe(true);
    expect(ring.open(sealed, "pcn_1:access")).toBe("strava-access-token-123");
    // Fresh IV each time.
    expect(ring.seal("strava-access-token-123", "pcn_1:access")).not.toBe(sealed);
  });

  it("refuses a value moved to another row or role, altered, or under an unknown key", () => {
    const ring = tokenKeyRing(secretA);
    const sealed = ring.seal("token", "pcn_1:access");
    expect(() => ring.open(sealed, "pcn_2:access")).toThrow();
    expect(() => ring.open(sealed, "pcn_1:refresh")).toThrow();
    const last = sealed.at(-1) === "A" ? "B" : "A";
    expect(() => ring.open(sealed.slice(0, -1) + last, "pcn_1:access")).toThrow();
    expect(() => tokenKeyRing(secretB).open(sealed, "pcn_1:access")).toThrow(/unknown key/);
  });

  it("rotates: a new secret still opens values sealed under a listed previous one", () => {
    const old = tokenKeyRing(secretA).seal("refresh-1", "pcn_1:refresh");
    const rotated = tokenKeyRing(secretB, [secretA]);
    expect(rotated.keyIdOf(old)).not.toBe(rotated.currentId);
    expect(rotated.open(old, "pcn_1:refresh")).toBe("refresh-1");
    const resealed = rotated.seal(rotated.open(old, "pcn_1:refresh"), "pcn_1:refresh");
    expect(rotated.keyIdOf(resealed)).toBe(rotated.currentId);
    expect(tokenKeyRing(secretB).open(resealed, "pcn_1:refresh")).toBe("refresh-1");
  });
});
