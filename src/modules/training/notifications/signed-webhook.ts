import { Webhook } from "standardwebhooks";

/**
 * One POST signed per Standard Webhooks (standardwebhooks.com): `webhook-id` (the notification id,
 * the same on every retry so receivers can dedupe), `webhook-timestamp` (seconds) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`).
 */
export async function postSignedWebhook(
  url: string,
  secret: string,
  message: { id: string; body: string; timeoutMs: number; signal?: AbortSignal; now?: Date },
): Promise<void> {
  const timestamp = message.now ?? new Date();
  const signature = new Webhook(secret).sign(message.id, timestamp, message.body);
  const deadline = AbortSignal.timeout(message.timeoutMs);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": message.id,
      "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
      "webhook-signature": signature,
    },
    body: message.body,
    redirect: "error",
    signal: message.signal ? AbortSignal.any([deadline, message.signal]) : deadline,
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`webhook receiver answered ${response.status}`);
}
