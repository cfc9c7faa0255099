export interface RetryOptions {
  /** Retries after the first attempt (default 2). */
  retries: number;
  /** Base delay, doubled per retry, with jitter (default 250 ms). */
  retryDelayMs: number;
  /** Per attempt (default 10 s). */
  timeoutMs: number;
  fetch: typeof fetch;
}

const retryable = new Set(["GET", "HEAD", "OPTIONS"]);
const MAX_RETRY_AFTER_MS = 10_000;

function delayFor(attempt: number, options: RetryOptions, response?: Response): number {
  const backoff = options.retryDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
  const retryAfter = Number(response?.headers.get("retry-after"));
  return Number.isFinite(retryAfter) && retryAfter > 0 ? Math.max(backoff, Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS)) : backoff;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

/**
 * A fetch that times out each attempt and retries idempotent requests on 5xx answers and
 * network errors (including timeouts) with exponential backoff. Never retries a 4xx: the
 * request itself is wrong and sending it again cannot help. The caller's own abort signal
 * stops everything at once.
 */
export function retryingFetch(options: RetryOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const attempts = retryable.has(request.method) ? options.retries + 1 : 1;
    for (let attempt = 0; ; attempt++) {
      const last = attempt === attempts - 1;
      const signal = AbortSignal.any([request.signal, AbortSignal.timeout(options.timeoutMs)]);
      let response: Response;
      try {
        response = await options.fetch(new Request(request.clone(), { signal }));
      } catch (error) {
        if (request.signal.aborted || last) throw error;
        await sleep(delayFor(attempt, options), request.signal);
        continue;
      }
      if (response.status < 500 || last) return response;
      await response.body?.cancel();
      await sleep(delayFor(attempt, options, response), request.signal);
    }
  };
}
