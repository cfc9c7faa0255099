import type { MailMessage } from "../mail/mail-message.ts";

/** The sign-in mail: the code in the text and HTML bodies, and how long it works. */
export function signInCodeMail(input: { to: string; code: string; ttlSeconds: number }): MailMessage {
  const minutes = Math.round(input.ttlSeconds / 60);
  const text = [
    `Your sign-in code is ${input.code}`,
    "",
    `It works once, for ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    "If you did not ask to sign in, ignore this mail: nothing happens without the code.",
  ].join("\n");
  const html = `<p>Your sign-in code is</p><p style="font-size:28px;font-weight:bold;letter-spacing:4px">${input.code}</p><p>It works once, for ${minutes} minute${minutes === 1 ? "" : "s"}.</p><p>If you did not ask to sign in, ignore this mail: nothing happens without the code.</p>`;
  return { to: input.to, subject: "Your sign-in code", text, html };
}
