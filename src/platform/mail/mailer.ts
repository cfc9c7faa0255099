import type { Transporter } from "nodemailer";
import type { Config } from "../config/config.ts";
import type { Logger } from "../observability/logger.ts";
import type { MailMessage } from "./mail-message.ts";

export interface SentMail {
  /** The Message-ID header the mail went out with. */
  messageId: string;
  /** `smtp` or `console` (SMTP_URL unset: development and tests only). */
  transport: "smtp" | "console";
}

/** Sends one mail now. Modules normally enqueue `platform.send-email` instead (see send-mail.ts). */
export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
}

/**
 * nodemailer on SMTP_URL: `smtp://` upgrades with STARTTLS when the server offers it,
 * `smtps://` is TLS from the first byte; credentials and options ride in the URL
 * (`smtp://user:pass@host:587?requireTLS=true`). Without SMTP_URL (refused at boot in
 * production) each mail is written to the log instead, so a developer can read a sign-in
 * code from the console, as seed 003 does.
 */
export function createMailer(config: Pick<Config, "SMTP_URL" | "MAIL_FROM">, log: Logger): Mailer {
  if (!config.SMTP_URL) {
    return {
      async send(message) {
        const messageId = `<${crypto.randomUUID()}@console.backplane>`;
        log.info({ mail: { to: message.to, subject: message.subject, messageId } }, `mail (console: SMTP_URL is unset)\n${message.text}`);
        return { messageId, transport: "console" };
      },
    };
  }
  const url = config.SMTP_URL;
  // nodemailer is loaded on the first mail: an API process mostly enqueues mail and never sends it.
  let transport: Promise<Transporter> | undefined;
  const transportOf = () => {
    transport ??= import("nodemailer").then(({ default: nodemailer }) =>
      // Bounded waits: a stuck server fails the attempt (and the job retries) instead of holding a worker slot.
      nodemailer.createTransport(
        { url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 },
        { from: config.MAIL_FROM },
      ),
    );
    return transport;
  };
  return {
    async send(message) {
      const info = await (await transportOf()).sendMail({
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
        ...(message.replyTo === undefined ? {} : { replyTo: message.replyTo }),
      });
      return { messageId: String(info.messageId), transport: "smtp" };
    },
  };
}

// One mailer per configuration (per process in production, per test app in tests), no module singleton.
const mailers = new WeakMap<Config, Mailer>();

export function mailerFor(services: { config: Config; log: Logger }): Mailer {
  let mailer = mailers.get(services.config);
  if (!mailer) {
    mailer = createMailer(services.config, services.log);
    mailers.set(services.config, mailer);
  }
  return mailer;
}
