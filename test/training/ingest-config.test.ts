import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/platform/config/config.ts";

const base = { NODE_ENV: "test", BACKPLANE_SECRET: "training-config-test-secret-0123456789" };
const secret = `whsec_${Buffer.from("0123456789abcdef0123456789abcdef").toString("base64")}`;

describe("training ingestion settings", () => {
  it("vendor URLs default to the real vendors", () => {
    const config = parseConfig(base);
    expect(config.STRAVA_API_URL).toBe("https://www.strava.com/api/v3");
    expect(config.STRAVA_OAUTH_URL).toBe("https://www.strava.com/oauth");
    expect(config.GARMIN_API_URL).toBe("https://apis.garmin.com");
    expect(config.EXPO_PUSH_URL).toBe("https://exp.host");
    expect(config.PROVIDER_TOKEN_PREVIOUS_SECRETS).toEqual([]);
  });

  it("a notification webhook needs its signing secret, and the secret a webhook", () => {
    expect(() => parseConfig({ ...base, TRAINING_NOTIFY_WEBHOOK_URL: "https://hooks.example.com/t" })).toThrow(/go together/);
    expect(() => parseConfig({ ...base, TRAINING_NOTIFY_WEBHOOK_SECRET: secret })).toThrow(/go together/);
    expect(
      parseConfig({ ...base, TRAINING_NOTIFY_WEBHOOK_URL: "https://hooks.example.com/t", TRAINING_NOTIFY_WEBHOOK_SECRET: secret })
        .TRAINING_NOTIFY_WEBHOOK_SECRET,
    ).toBe(secret);
  });

  it("refuses malformed secrets and ids, without echoing them", () => {
    const bad: Record<string, string> = {
      TRAINING_NOTIFY_WEBHOOK_SECRET: "plain-secret-not-whsec",
      STRAVA_WEBHOOK_PATH_SECRET: "short",
      STRAVA_SUBSCRIPTION_ID: "abc",
      STRAVA_VERIFY_TOKEN: "x",
    };
    for (const [name, value] of Object.entries(bad)) {
      let message = "";
      try {
        parseConfig({ ...base, TRAINING_NOTIFY_WEBHOOK_URL: "https://hooks.example.com/t", [name]: value });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, name).toContain(name);
      if (/SECRET|TOKEN/.test(name)) expect(message).not.toContain(value);
    }
  });
});
