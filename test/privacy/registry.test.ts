import { describe, expect, it } from "vitest";
import { availableModules } from "../../src/modules/registry.ts";
import { catalogOf } from "../../src/platform/catalog.ts";
import { defineModule } from "../../src/platform/module.ts";

const noop = async () => ({});

describe("privacy, cleanup and metric registry", () => {
  it("gathers the platform's and every module's handlers, platform first", () => {
    const catalog = catalogOf(availableModules);
    const privacy = catalog.privacy.map((entry) => entry.module);
    expect(privacy[0]).toBe("backplane");
    expect(privacy).toEqual(expect.arrayContaining(["backplane", "community", "insights", "training"]));
    const cleanups = catalog.cleanups.map((cleanup) => `${cleanup.module}:${cleanup.name}`);
    for (const expected of [
      "backplane:platform.sessions",
      "backplane:platform.sign-in-codes",
      "backplane:platform.idempotency-keys",
      "backplane:platform.webhook-events",
      "backplane:platform.audit-events",
      "community:community.web-vitals",
      "workflows:workflows.logs",
      "training:training.sync-tombstones",
    ]) {
      expect(cleanups).toContain(expected);
    }
  });

  it("refuses a cleanup or metric source name declared twice, or not <module>.<what>", () => {
    const a = defineModule({ name: "moda", cleanups: [{ name: "moda.things", run: noop }] });
    const b = defineModule({ name: "modb", cleanups: [{ name: "moda.things", run: noop }] });
    expect(() => catalogOf([a, b])).toThrow(/cleanup moda\.things is declared by both moda and modb/);
    const bad = defineModule({ name: "modc", metricSources: [{ name: "Nope", collect: async () => 0 }] });
    expect(() => catalogOf([bad])).toThrow(/metric source "Nope"/);
  });
});
