import { z } from "zod";

/** One mail: the From is always MAIL_FROM. Plain text is required (every client shows it); HTML is optional. */
export const mailMessageSchema = z.object({
  to: z.email().max(320),
  subject: z.string().min(1).max(998),
  text: z.string().min(1).max(100_000),
  html: z.string().min(1).max(500_000).optional(),
  replyTo: z.email().max(320).optional(),
});

export type MailMessage = z.infer<typeof mailMessageSchema>;
