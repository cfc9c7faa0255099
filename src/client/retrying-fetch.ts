export interface RetryOptions {
  /** Attempts in all, the first included (default 3); 1 turns retries off. */
  attempts: number;
  /** Backoff before the first retry, doubled per retry, with jitter (default 250 ms). */
  baseDelayMs: number;
  /** Cap on one backoff wait (default 5 s). */
  maxDelayMs: number;
  /**
   * The longest `Retry-After` waited for (default 30 s). A server asking for more gets its answer
   * handed back (thrown as an error) rather than retried early or waited on for minutes.
   */
  maxRetryAfterMs: number;
  /** Per attempt (default 10 s); a timed-out attempt counts as a network error. */
  timeoutMs: number;
  fetch: (request: Request) => Promise<Response>;
  /** Called before each wait-and-retry, e.g. to log it. */
  onRetry?: (retry: { attempt: number; delayMs: number; request: Request; status?: number; error?: unknown }) => void;
}

export const defaultRetryOptions = { attempts: 3, baseDelayMs: 250, maxDelayMs: 5_000, maxRetryAfterMs: 30_000, timeoutMs: 10_000 };

// Methods whose repetition has the effect of one request (RFC 9110 §9.2.2).
const idempotentMethods = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

/**
 * Whether sending the request again is safe: an idempotent method, or any request carrying an
 * Idempotency-Key (the server answers a repeat with the first answer instead of acting twice).
 */
export function isRetrySafe(request: Request): boolean {
  return idempotentMethods.has(request.method) || request.headers.has("idempotency-key");
}

/**
 * Whether an answer is worth another try: the server or a proxy failed (5xx, but not 501/505, which
 * a retry cannot change), it is rate limiting (429) or timed out the request (408), or an
 * Idempotency-Key is still in flight (409 with Retry-After).
 */
export function isRetryableStatus(response: Response): boolean {
  const { status } = response;
  if (status >= 500) return status !== 501 && status !== 505;
  return status === 429 || status === 408 || (status === 409 && response.headers.has("retry-after"));
}

/** `Retry-After` in ms: delay-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Exponential backoff with equal jitter: half the step fixed, half random, so clients spread out. */
function backoffMs(retry: number, options: RetryOptions): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return step / 2 + (Math.random() * step) / 2;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A fetch that times out each attempt and, for requests safe to repeat (`isRetrySafe`), retries
 * network errors and retryable answers (`isRetryableStatus`) a bounded number of times: after the
 * server's `Retry-After` when it sends one, else after a jittered exponential backoff. Any other
 * request is sent once, whatever happens: a POST without an Idempotency-Key may have been carried
 * out even when its answer was lost. The caller's own abort signal stops everything at once.
 */
export function retryingFetch(options: RetryOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const attempts = isRetrySafe(request) ? Math.max(1, options.attempts) : 1;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      const signal = AbortSignal.any([request.signal, AbortSignal.timeout(options.timeoutMs)]);
      let response: Response;
      try {
        // A clone per attempt: the original's body stays unread for the next one.
        response = await options.fetch(new Request(request.clone(), { signal }));
      } catch (error) {
        if (request.signal.aborted || last) throw error;
        const delayMs = backoffMs(attempt - 1, options);
        options.onRetry?.({ attempt, delayMs, request, error });
        await sleep(delayMs, request.signal);
        continue;
      }
      if (last || !isRetryableStatus(response)) return response;
      const asked = retryAfterMs(response.headers.get("retry-after"));
      if (asked !== null && asked > options.maxRetryAfterMs) return response;
      const delayMs = asked ?? backoffMs(attempt - 1, options);
      await response.body?.cancel();
      options.onRetry?.({ attempt, delayMs, request, status: response.status });
      await sleep(delayMs, request.signal);
    }
  };
}
