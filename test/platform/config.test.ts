import { describe, expect, it } from "vitest";
import { selectModules } from "../../src/platform/boot/select-modules.ts";
import { ConfigError, parseConfig } from "../../src/platform/config/config.ts";
import { defineModule } from "../../src/platform/module.ts";
import { runCli } from "../support/spawn-cli.ts";

function configError(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("config", () => {
  it("has working defaults", () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.HOST).toBe("127.0.0.1");
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.CORS_ORIGINS).toEqual([]);
    expect(config.dataDir).toMatch(/\.backplane\/data$/);
  });

  it("parses lists and numbers, and treats empty values as unset", () => {
    const config = parseConfig({ PORT: "8080", CORS_ORIGINS: " https://a.example ,https://b.example,", LOG_LEVEL: "" });
    expect(config.PORT).toBe(8080);
    expect(config.CORS_ORIGINS).toEqual(["https://a.example", "https://b.example"]);
    expect(config.LOG_LEVEL).toBe("info");
  });

  it("names the variable and what is wrong", () => {
    expect(configError({ PORT: "abc" })).toMatch(/^Invalid configuration: PORT: .*number/);
    expect(configError({ PORT: "70000" })).toContain("PORT");
    expect(configError({ LOG_LEVEL: "loud" })).toContain("LOG_LEVEL");
    expect(configError({ REDIS_URL: "http://x" })).toContain("REDIS_URL");
  });

  it("never echoes a connection string back", () => {
    const message = configError({ DATABASE_URL: "mysql://user:s3cret@host/db" });
    expect(message).toContain("DATABASE_URL");
    expect(message).not.toContain("s3cret");
  });

  it("rejects unknown module names", () => {
    const modules = [defineModule({ name: "alpha" }), defineModule({ name: "beta" })];
    expect(selectModules(modules, undefined).map((m) => m.name)).toEqual(["alpha", "beta"]);
    expect(selectModules(modules, ["beta"]).map((m) => m.name)).toEqual(["beta"]);
    expect(() => selectModules(modules, ["gamma"])).toThrow(/BACKPLANE_MODULES.*gamma/);
  });

  it("a bad value stops the CLI with one line naming it, no stack trace", async () => {
    const started = Date.now();
    const result = await runCli(["serve"], { PORT: "abc" });
    expect(result.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.stderr).toContain("PORT");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("every command has --help", async () => {
    for (const command of ["start", "serve", "migrate"]) {
      const result = await runCli([command, "--help"], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: backplane ${command}`);
    }
  });
});
