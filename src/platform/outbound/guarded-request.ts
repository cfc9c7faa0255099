import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { addressPolicy } from "./address-policy.ts";

export interface OutboundRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The body was longer than the cap and was cut there. */
  truncated: boolean;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface OutboundOptions {
  /** OUTBOUND_ALLOWED_HOSTS. */
  allowedHosts: readonly string[];
  timeoutMs: number;
  /** Read at most this many bytes of the response body (default 1 MB). */
  maxResponseBytes?: number;
  maxRedirects?: number;
  signal?: AbortSignal;
}

/** A call refused or failed before an answer: a step error worth showing as is. */
export class OutboundError extends Error {
  override name = "OutboundError";
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * One outbound HTTP call with an SSRF guard: only http(s); every address the host name resolves
 * to is checked when the connection is made (so a DNS answer cannot change between check and
 * connect), and again for each redirect, which is followed by hand. Times out as a whole, and
 * reads at most `maxResponseBytes` of the answer.
 */
export async function guardedRequest(request: OutboundRequest, options: OutboundOptions): Promise<OutboundResponse> {
  const policy = addressPolicy(options.allowedHosts);
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
  let current = { ...request };
  for (let redirects = 0; ; redirects++) {
    const response = await once(current, policy, signal, options.maxResponseBytes ?? MAX_RESPONSE_BYTES).catch((error: unknown) => {
      if (signal.aborted && deadline.aborted) throw new OutboundError(`timed out after ${options.timeoutMs} ms`);
      throw error instanceof OutboundError ? error : new OutboundError(error instanceof Error ? error.message : String(error));
    });
    const location = response.headers.location;
    if (response.status < 300 || response.status > 308 || response.status === 304 || !location) return response;
    if (redirects >= (options.maxRedirects ?? 5)) throw new OutboundError(`more than ${options.maxRedirects ?? 5} redirects`);
    const next = new URL(location, current.url).toString();
    // 303, and 301/302 after a POST, become a GET without a body, as browsers do.
    const keepsMethod = response.status === 307 || response.status === 308 || current.method === "GET" || current.method === "HEAD";
    current = keepsMethod ? { ...current, url: next } : { method: "GET", url: next, headers: withoutBodyHeaders(current.headers) };
  }
}

function withoutBodyHeaders(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !/^content-/i.test(name)));
}

function once(
  request: OutboundRequest,
  policy: ReturnType<typeof addressPolicy>,
  signal: AbortSignal,
  maxBytes: number,
): Promise<OutboundResponse> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new OutboundError(`not a URL: ${request.url.slice(0, 200)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new OutboundError(`only http and https URLs may be called, not ${url.protocol}`);
  if (url.username || url.password) throw new OutboundError("credentials in the URL are not sent; use a header");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // An IP literal never goes through lookup, so it is checked here.
  if (isIP(host) !== 0) {
    const refusal = policy.refuse(host, host);
    if (refusal) return Promise.reject(new OutboundError(`refused: ${refusal}`));
  }
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      for (const entry of addresses) {
        const refusal = policy.refuse(entry.address, hostname);
        if (refusal) return callback(new OutboundError(`refused: ${refusal}`), "", 0);
      }
      if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new OutboundError(`${hostname} has no address`), "", 0);
      callback(null, first.address, first.family);
    });
  };
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      url,
      { method: request.method, headers: request.headers, lookup, signal, agent: false, timeout: undefined },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        res.on("data", (chunk: Buffer) => {
          if (truncated) return;
          if (size + chunk.length > maxBytes) {
            chunks.push(chunk.subarray(0, maxBytes - size));
            size = maxBytes;
            truncated = true;
            res.destroy();
            finish();
            return;
          }
          chunks.push(chunk);
          size += chunk.length;
        });
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks), truncated, url: url.toString() });
        };
        res.on("end", finish);
        res.on("error", (error) => (truncated ? finish() : reject(error)));
      },
    );
    req.on("error", reject);
    if (request.body !== undefined) req.end(request.body);
    else req.end();
  });
}
