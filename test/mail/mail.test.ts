import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../src/platform/config/config.ts";
import { type RunningWorker, startWorker } from "../../src/platform/jobs/start-worker.ts";
import { enqueueMail } from "../../src/platform/mail/send-email-job.ts";
import { sendMail } from "../../src/platform/mail/send-mail.ts";
import { fastJobsEnv } from "../jobs/support/fast-env.ts";
import { type SmtpSink, startSmtpSink } from "../support/smtp-sink.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";

let t: TestApp | null = null;
let worker: RunningWorker | null = null;
let sink: SmtpSink | null = null;

afterEach(async () => {
  await worker?.stop(0);
  worker = null;
  await t?.close();
  t = null;
  await sink?.close();
  sink = null;
});

describe("mail", () => {
  it("platform.send-email, enqueued in a transaction, reaches a real SMTP server with text and HTML; a rolled-back one is never sent", async () => {
    sink = await startSmtpSink();
    t = await createTestApp({ env: { ...fastJobsEnv, SMTP_URL: sink.url, MAIL_FROM: "Rules <rules@example.test>" }, modules: [] });
    const app = t;
    await expect(
      app.services.db.transaction(async (tx) => {
        await enqueueMail(app.services.jobs, { to: "gone@example.test", subject: "never", text: "never" }, { tx });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await app.services.db.transaction((tx) =>
      enqueueMail(
        app.services.jobs,
        { to: "Ada@Example.test", subject: "Hello Ada", text: "Plain body 123", html: "<p>HTML <b>body</b> 123</p>" },
        { tx },
      ),
    );
    worker = await startWorker(app.services, []);

    const mail = await sink.waitForMail("ada@example.test");
    expect(mail.subject).toBe("Hello Ada");
    expect(mail.from?.value[0]).toEqual({ address: "rules@example.test", name: "Rules" });
    expect(mail.text?.trim()).toBe("Plain body 123");
    expect(mail.html).toContain("<p>HTML <b>body</b> 123</p>");
    expect(mail.messageId).toBeTruthy();
    expect(sink.mailsTo("gone@example.test")).toEqual([]);
  });

  it("refuses a malformed message when it is enqueued", async () => {
    t = await createTestApp({ env: { LOG_LEVEL: "error" }, modules: [] });
    await expect(enqueueMail(t.services.jobs, { to: "not an address", subject: "x", text: "x" })).rejects.toMatchObject({
      code: "validation_failed",
    });
  });

  it("without SMTP_URL (development), writes the mail to the log for the developer", async () => {
    t = await createTestApp({ env: { NODE_ENV: "development", LOG_LEVEL: "info" }, modules: [] });
    const sent = await sendMail(t.services, { to: "dev@example.test", subject: "Your code", text: "Your code is 123456" });
    expect(sent.transport).toBe("console");
    const line = t.logs.find((entry) => entry.includes("Your code is 123456"));
    expect(line).toBeDefined();
    expect(JSON.parse(line as string).mail).toMatchObject({ to: "dev@example.test", subject: "Your code" });
  });

  it("config: SMTP_URL must be smtp:// or smtps://, and production refuses to boot without it", () => {
    const production = { NODE_ENV: "production", BACKPLANE_SECRET: "x".repeat(40) };
    expect(() => parseConfig(production)).toThrow(ConfigError);
    expect(() => parseConfig(production)).toThrow(/SMTP_URL: is required when NODE_ENV=production/);
    expect(() => parseConfig({ SMTP_URL: "http://mail.example.test" })).toThrow(/SMTP_URL/);
    expect(parseConfig({ ...production, SMTP_URL: "smtps://u:p@mail.example.test:465" }).SMTP_URL).toBe(
      "smtps://u:p@mail.example.test:465",
    );
    expect(parseConfig({}).MAIL_FROM).toBe("Backplane <no-reply@localhost>");
  });
});
