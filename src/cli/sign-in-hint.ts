import type { Config } from "../platform/config/config.ts";

/**
 * What `start`/`serve` print so a developer can sign in at once (seed 003's dev flow): two curl
 * lines, and where the code will appear. Nothing in production.
 */
export function signInHint(config: Config, url: string, runsWorker: boolean): string {
  if (config.NODE_ENV === "production") return "";
  const where = config.SMTP_URL
    ? "the code is mailed through SMTP_URL"
    : `SMTP_URL is unset, so the mail (with the code) is printed in this console${runsWorker ? "" : " by the worker (`backplane worker`)"}`;
  const json = "-H 'content-type: application/json'";
  return (
    `  Sign in (${where}):\n` +
    `    curl -X POST ${json} -d '{"email":"you@example.com"}' ${url}/api/auth/otp/request\n` +
    `    curl -i -X POST ${json} -d '{"email":"you@example.com","code":"<code>"}' ${url}/api/auth/otp/verify\n\n`
  );
}
