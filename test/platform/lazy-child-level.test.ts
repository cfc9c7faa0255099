import { describe, expect, it } from "vitest";
import { createLogger, lazyChild } from "../../src/platform/observability/logger.ts";

// Review finding (latent: nothing in src sets a request logger's level today): the lazyChild
// Proxy has only a `get` trap, so `log.level = …` lands on the empty Proxy target and is lost,
// before and after the child is made, while a pino child honours it.
describe("lazyChild honours what a pino child does", () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ level: "info", destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    return { log, lines };
  };

  it("a level set on the child applies to the child", () => {
    const eager = capture();
    const child = eager.log.child({ requestId: "r1" });
    child.level = "debug";
    child.debug("eager");
    expect(eager.lines.map((line) => line.msg)).toEqual(["eager"]);

    const lazy = capture();
    const log = lazyChild(lazy.log, { requestId: "r1" });
    log.level = "debug";
    expect(log.level).toBe("debug");
    log.debug("lazy");
    expect(lazy.lines.map((line) => line.msg)).toEqual(["lazy"]);
  });
});
