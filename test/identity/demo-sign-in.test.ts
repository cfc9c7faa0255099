import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startCli, waitFor } from "../support/spawn-cli.ts";
import { dbKind } from "../support/test-database.ts";

// One embedded start is enough: run it in the pglite project only.
describe.runIf(dbKind === "pglite")("npm start: the demo sign-in", () => {
  it("prints how to sign in; following it, the code appears on the console and signs in", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "backplane-signin-"));
    const child = startCli(["start"], {
      BACKPLANE_DATA_DIR: path.join(dir, "data"),
      PORT: "0",
      BACKPLANE_EMBEDDED_PG_PORT: "0",
      BACKPLANE_SECRET: "demo-sign-in-test-secret-0123456789abcdef",
      JOBS_POLL_INTERVAL_SECONDS: "0.5",
    });
    try {
      const url = await waitFor(async () => /Backplane is up: (\S+)/.exec(child.output().stdout)?.[1], 90_000, "server up");
      const out = child.output().stdout;
      expect(out).toContain("Sign in (SMTP_URL is unset, so the mail (with the code) is printed in this console)");
      expect(out).toContain(`${url}/api/auth/otp/request`);
      expect(out).toContain(`${url}/api/auth/otp/verify`);

      const email = "you@example.com";
      const requested = await fetch(`${url}/api/auth/otp/request`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email }),
      });
      expect(requested.status).toBe(202);
      const code = await waitFor(
        async () => /Your sign-in code is (\d{6})/.exec(child.output().stdout)?.[1],
        30_000,
        "the code on the console",
      );
      const verified = await fetch(`${url}/api/auth/otp/verify`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, code }),
      });
      expect(verified.status).toBe(200);
      const cookie = verified.headers.getSetCookie()[0]?.split(";")[0] as string;
      const session = await fetch(`${url}/api/auth/session`, { headers: { cookie } });
      expect(((await session.json()) as { user: { email: string } }).user.email).toBe(email);
    } finally {
      child.kill("SIGTERM");
      await child.done;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
