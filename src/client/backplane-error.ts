import type { components } from "./api.generated.ts";

type ErrorEnvelope = components["schemas"]["Error"];
/** The API's error codes, or `unknown` when the answer was not the envelope (a proxy's 502 page). */
export type BackplaneErrorCode = ErrorEnvelope["error"]["code"] | "unknown";

function isEnvelope(body: unknown): body is ErrorEnvelope {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === "string" && typeof error.message === "string";
}

/**
 * A 4xx/5xx answer from Backplane: the envelope's `code`, `message`, `requestId` (quote it to
 * whoever reads the server's logs) and `details`, with the HTTP status. Network failures and
 * timeouts are not this: they are thrown as fetch throws them, after any retries.
 */
export class BackplaneError extends Error {
  override name = "BackplaneError";
  readonly status: number;
  readonly code: BackplaneErrorCode;
  /** From the envelope, else the `x-request-id` response header; null when neither came back. */
  readonly requestId: string | null;
  readonly details: unknown;
  /** The answer's headers (`Retry-After`, `RateLimit`, ...). */
  readonly headers: Headers;

  constructor(response: Pick<Response, "status" | "headers">, body: unknown) {
    const envelope = isEnvelope(body) ? body : null;
    super(envelope?.error.message ?? `Backplane answered ${response.status}`);
    this.status = response.status;
    this.code = envelope?.error.code ?? "unknown";
    this.requestId = envelope?.error.requestId ?? response.headers.get("x-request-id");
    this.details = envelope?.details;
    this.headers = response.headers;
  }
}
