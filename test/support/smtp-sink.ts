import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { waitFor } from "../jobs/support/wait-for.ts";

export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>` for SMTP_URL. */
  url: string;
  /** Every mail received, parsed, in arrival order. */
  mails: ParsedMail[];
  /** Envelope recipients of each mail, in the same order. */
  recipients: string[][];
  /** The first mail to `to` after `skip` earlier ones (waits up to `timeoutMs`). */
  waitForMail(to: string, options?: { skip?: number; timeoutMs?: number }): Promise<ParsedMail>;
  mailsTo(to: string): ParsedMail[];
  close(): Promise<void>;
}

/** A real SMTP server in the test process (no TLS, any sender), collecting what it receives. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: ParsedMail[] = [];
  const recipients: string[][] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          mails.push(mail);
          recipients.push(session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()));
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  const mailsTo = (to: string) => mails.filter((_, index) => recipients[index]?.includes(to.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    recipients,
    mailsTo,
    waitForMail: (to, options = {}) => waitFor(`a mail to ${to}`, async () => mailsTo(to)[options.skip ?? 0], options.timeoutMs ?? 15_000),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
