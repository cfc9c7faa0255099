import type { Services } from "../module.ts";
import { type MailMessage, mailMessageSchema } from "./mail-message.ts";
import { mailerFor, type SentMail } from "./mailer.ts";

/** Sends one mail now, on this process (jobs and the CLI; request handlers should enqueue). */
export async function sendMail(services: Pick<Services, "config" | "log">, message: MailMessage): Promise<SentMail> {
  const sent = await mailerFor(services).send(mailMessageSchema.parse(message));
  services.log.info({ mail: { messageId: sent.messageId, transport: sent.transport } }, "mail sent");
  return sent;
}
