/** A vendor answered with an error status, or could not be reached. */
export class VendorError extends Error {
  override name = "VendorError";
  readonly vendor: "strava" | "garmin";
  /** The HTTP status; 0 when there was no answer (network, timeout). */
  readonly status: number;
  /** From Retry-After (or the vendor's documented window) on a 429 or 503. */
  readonly retryAfterSeconds: number | null;

  constructor(vendor: "strava" | "garmin", status: number, message: string, retryAfterSeconds: number | null = null) {
    super(message);
    this.vendor = vendor;
    this.status = status;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Worth trying again later: throttled, the vendor's own fault, or no answer. */
  get retryable(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

/** Retry-After as seconds (delta-seconds or an HTTP date); null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export interface VendorRequest {
  vendor: "strava" | "garmin";
  method: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** When a 429 carries no Retry-After: the vendor's documented window (seconds from now). */
  defaultRetryAfter?: () => number;
}

/** One vendor call: JSON back on 2xx, a VendorError otherwise. Never logs or returns credentials. */
export async function vendorJson<T>(request: VendorRequest): Promise<T> {
  const deadline = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([deadline, request.signal]) : deadline;
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: { accept: "application/json", ...request.headers },
      body: request.form ? new URLSearchParams(request.form) : undefined,
      signal,
      redirect: "error",
    });
  } catch (error) {
    const reason = deadline.aborted ? `timed out after ${request.timeoutMs} ms` : (error as Error).message;
    throw new VendorError(request.vendor, 0, `${request.vendor} ${request.method} ${new URL(request.url).pathname}: ${reason}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let retryAfter = parseRetryAfter(response.headers.get("retry-after"));
    if (retryAfter === null && response.status === 429) retryAfter = request.defaultRetryAfter?.() ?? null;
    throw new VendorError(
      request.vendor,
      response.status,
      `${request.vendor} ${request.method} ${new URL(request.url).pathname} answered ${response.status}: ${text.slice(0, 200)}`,
      retryAfter,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new VendorError(request.vendor, response.status, `${request.vendor} answered ${response.status} with a body that is not JSON`);
  }
}
