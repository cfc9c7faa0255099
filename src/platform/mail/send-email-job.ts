import { defineJob } from "../jobs/define-job.ts";
import type { EnqueueOptions, JobQueue } from "../module.ts";
import { type MailMessage, mailMessageSchema } from "./mail-message.ts";
import { sendMail } from "./send-mail.ts";

/**
 * Sends one mail through the configured mailer. Critical queue: mail is usually someone waiting
 * (a sign-in code, a workflow's notice). SMTP failures retry with backoff, then the dead-letter queue.
 */
export const sendEmailJob = defineJob({
  name: "platform.send-email",
  queue: "critical",
  payload: mailMessageSchema,
  retry: { limit: 5, maxDelaySeconds: 300 },
  timeoutSeconds: 120,
  handler: async (message, { services }) => {
    await sendMail(services, message);
  },
});

/**
 * Enqueues `platform.send-email` on the critical queue. Pass the transaction of the change that
 * causes the mail (`{ tx }`): the mail is sent if and only if that change commits. The message
 * sits in the job row until it is sent, so never put a secret in it in the clear.
 */
export function enqueueMail(jobs: JobQueue, message: MailMessage, options: EnqueueOptions = {}): Promise<string> {
  return jobs.enqueue(sendEmailJob, message, options);
}
