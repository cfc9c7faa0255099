import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// The launcher's shebang carries Backplane's Node flags (`npx backplane …`); the npm scripts run
// `node bin/backplane.js` directly, which skips the shebang, so they must repeat the same flags.
const root = new URL("../../", import.meta.url);
const shebang = readFileSync(new URL("bin/backplane.js", root), "utf8").split("\n")[0] ?? "";
const scripts = (JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("launcher flags", () => {
  it("the shebang runs node with the young-generation cap", () => {
    expect(shebang.startsWith("#!/usr/bin/env -S node ")).toBe(true);
    expect(shebang.split(" ")).toContain("--max-semi-space-size=4");
  });

  it("the launcher caps the old generation's growth once the command has started (not during boot)", () => {
    const launcher = readFileSync(new URL("bin/backplane.js", root), "utf8");
    const started = launcher.indexOf("await main(process.argv);");
    expect(started).toBeGreaterThan(0);
    expect(launcher.indexOf('v8.setFlagsFromString("--heap-growing-percent=100")')).toBeGreaterThan(started);
  });

  for (const name of ["start", "backplane"]) {
    it(`npm run ${name} passes the same flags`, () => {
      const flags = shebang.split(" ").slice(3).join(" ");
      expect(scripts[name]).toBe(`node ${flags} bin/backplane.js${name === "start" ? " start" : ""}`);
    });
  }
});
