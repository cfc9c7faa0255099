import { Client } from "undici";
import { percentile } from "./stats.ts";

/**
 * A closed-loop HTTP load: `connections` keep-alive connections, each sending its next request
 * as soon as the previous answer is read. Bounded in time (`durationSeconds`) and in count
 * (`maxRequests`), whichever comes first, and it stops by itself.
 *
 * Written on undici's Client rather than autocannon because autocannon records latency in
 * whole milliseconds, and loopback answers here take well under one: p50/p99 need microseconds.
 * undici is also the cheapest Node HTTP client, which matters when client and server share
 * the machine's two cores.
 */
export interface LoadOptions {
  url: string;
  path: string;
  headers?: Record<string, string>;
  /** Default GET. */
  method?: "GET" | "POST";
  /** Sent with every request (POST). */
  body?: string;
  connections: number;
  durationSeconds: number;
  maxRequests: number;
  /** Status every answer must have; anything else counts as an error. */
  expectStatus?: number;
  /** Per request (numbered from 0 across all connections): a body and headers that replace `body` and add to `headers`. */
  vary?: (index: number) => { body?: string; headers?: Record<string, string> };
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  firstError?: string;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const expect = options.expectStatus ?? 200;
  const latencies = new Float64Array(options.maxRequests);
  let count = 0;
  let errors = 0;
  let firstError: string | undefined;
  const clients = Array.from(
    { length: options.connections },
    () => new Client(options.url, { pipelining: 1, keepAliveTimeout: 30_000, headersTimeout: 10_000, bodyTimeout: 10_000 }),
  );
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;

  let issued = 0;
  async function loop(client: Client) {
    while (count < options.maxRequests && performance.now() < deadline) {
      const varied = options.vary?.(issued++);
      const t0 = performance.now();
      try {
        const response = await client.request({
          method: options.method ?? "GET",
          path: options.path,
          headers: varied?.headers ? { ...options.headers, ...varied.headers } : options.headers,
          body: varied?.body ?? options.body,
        });
        await response.body.dump({ limit: Number.POSITIVE_INFINITY });
        if (response.statusCode !== expect) {
          errors++;
          firstError ??= `status ${response.statusCode}`;
        }
      } catch (error) {
        errors++;
        firstError ??= (error as Error).message;
        if (errors > 1000) break; // the server is gone; do not spin
      }
      if (count < options.maxRequests) latencies[count++] = performance.now() - t0;
    }
  }

  await Promise.all(clients.map(loop));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((client) => client.close().catch(() => {})));
  const measured = latencies.subarray(0, count);
  return {
    requests: count,
    errors,
    seconds,
    rps: (count - errors) / seconds,
    p50: percentile(measured as unknown as number[], 50),
    p99: percentile(measured as unknown as number[], 99),
    ...(firstError ? { firstError } : {}),
  };
}
