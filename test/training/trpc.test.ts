import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mobileUser, startTrainingApp, type TrainingHarness, trpcClient, trpcFailure } from "./support.ts";

let h: TrainingHarness;
type TrpcErrorBody = { error: { data: { platformCode: string; details: unknown } } };

beforeAll(async () => {
  h = await startTrainingApp();
});
afterAll(async () => {
  await h?.close();
});

describe("tRPC at /trpc (plain JSON, platform errors)", () => {
  it("getProfile returns the signed-in user with default settings", async () => {
    const user = await mobileUser(h);
    const profile = await user.trpc.user.getProfile.query();
    expect(profile.id).toBe(user.userId);
    expect(profile.email).toBe(user.email);
    expect(typeof profile.createdAt).toBe("number");
    expect(profile.settings).toEqual({
      units: "metric",
      maxHr: null,
      restingHr: null,
      sex: null,
      timeZone: "UTC",
      notificationsEnabled: false,
    });
  });

  it("answers plain JSON a client without tRPC can read", async () => {
    const user = await mobileUser(h);
    const res = await fetch(`${h.url}/trpc/user.getProfile`, { headers: { authorization: `Bearer ${user.accessToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { result: { data: { id: string } } };
    expect(body.result.data.id).toBe(user.userId);
  });

  it("401 UNAUTHORIZED with the platform code without a token, with a forged one, and for another user's expired token", async () => {
    for (const token of [null, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfeCJ9.c2lnbmF0dXJl"]) {
      const failure = await trpcFailure(trpcClient(h.url, token).user.getProfile.query());
      expect(failure.data?.httpStatus).toBe(401);
      expect(failure.data?.code).toBe("UNAUTHORIZED");
      expect(failure.data?.platformCode).toBe("unauthorized");
      expect(failure.data?.requestId).toMatch(/.+/);
    }
    const raw = await fetch(`${h.url}/trpc/user.getProfile`);
    expect(raw.status).toBe(401);
    expect(raw.headers.get("www-authenticate")).toContain("Bearer");
    const body = (await raw.json()) as TrpcErrorBody;
    expect(body.error.data.platformCode).toBe("unauthorized");
    expect(body.error.data.details).toEqual({ reason: "missing" });
  });

  it("400 validation_failed with field details for a bad input; the settings are unchanged", async () => {
    const user = await mobileUser(h);
    const failure = await trpcFailure(user.trpc.user.updateSettings.mutate({ maxHr: 999 } as never));
    expect(failure.data?.httpStatus).toBe(400);
    expect(failure.data?.platformCode).toBe("validation_failed");
    expect(failure.data?.details).toEqual([expect.objectContaining({ field: "input.maxHr" })]);
    const badZone = await trpcFailure(user.trpc.user.updateSettings.mutate({ timeZone: "Mars/Olympus" }));
    expect(badZone.data?.platformCode).toBe("validation_failed");
    expect((await user.trpc.user.getProfile.query()).settings.maxHr).toBeNull();
  });

  it("updateSettings merges a patch and keeps it per user", async () => {
    const a = await mobileUser(h, "a");
    const b = await mobileUser(h, "b");
    const updated = await a.trpc.user.updateSettings.mutate({ maxHr: 190, restingHr: 48, sex: "female", timeZone: "Europe/Paris" });
    expect(updated.settings).toMatchObject({ maxHr: 190, restingHr: 48, sex: "female", timeZone: "Europe/Paris", units: "metric" });
    const again = await a.trpc.user.updateSettings.mutate({ notificationsEnabled: true });
    expect(again.settings).toMatchObject({ maxHr: 190, notificationsEnabled: true });
    expect((await b.trpc.user.getProfile.query()).settings.maxHr).toBeNull();
  });

  it("404 NOT_FOUND for an unknown procedure; batching carries one status per call", async () => {
    const res = await fetch(`${h.url}/trpc/user.nope`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as TrpcErrorBody;
    expect(body.error.data.platformCode).toBe("not_found");
  });
});
