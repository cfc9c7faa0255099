/**
 * The typed client for every Backplane REST route (`backplane/client`): one method per operation,
 * named by its operationId, on top of openapi-fetch and the types generated from the OpenAPI
 * document (`npm run client:generate`).
 *
 *   const bp = createBackplaneClient({ baseUrl: "https://api.example.com", apiKey });
 *   const page = await bp.listWorkflows({ params: { query: { limit: 20 } } });
 *   await bp.createWorkflow({ body: { name: "Welcome", steps: [...] } }); // an Idempotency-Key is sent
 *
 * A method returns the success body and throws a `BackplaneError` for a 4xx/5xx answer. Requests
 * safe to repeat (GET, HEAD, PUT, DELETE, and any request with an Idempotency-Key) are retried on
 * 5xx, 429 and network errors, honouring Retry-After; other requests are sent once.
 */
import createClient, { type Client, type FetchResponse, type MaybeOptionalInit, type Middleware } from "openapi-fetch";
import type { paths } from "./api.generated.ts";
import { BackplaneError } from "./backplane-error.ts";
import { operationTable } from "./operations.generated.ts";
import { defaultRetryOptions, type RetryOptions, retryingFetch } from "./retrying-fetch.ts";

type Table = typeof operationTable;
/** Every operationId in the API: the client's method names. */
export type OperationId = keyof Table;
type PathOf<K extends OperationId> = Table[K]["path"];
type MethodOf<K extends OperationId> = Lowercase<Table[K]["method"]>;
type OperationOf<K extends OperationId> = paths[PathOf<K>][MethodOf<K>] & Record<string | number, unknown>;

/** What a method takes: openapi-fetch's options (`params`, `body`, `headers`, `signal`, ...). */
export type OperationInit<K extends OperationId> = MaybeOptionalInit<paths[PathOf<K>], MethodOf<K>>;
/** What a method resolves to: the success body (undefined for 204). */
export type OperationData<K extends OperationId> = Extract<
  FetchResponse<OperationOf<K>, object, `${string}/${string}`>,
  { data: unknown }
>["data"];

type Args<Init> = undefined extends Init ? [init?: Init] : [init: Init];

export type BackplaneMethods = { [K in OperationId]: (...init: Args<OperationInit<K>>) => Promise<OperationData<K>> };

export type BackplaneClient = BackplaneMethods & {
  /** The underlying openapi-fetch client (same retries, credentials and keys), for the full response. */
  readonly api: Client<paths>;
};

type Token = string | undefined | null;

export interface BackplaneClientOptions {
  /** Where Backplane is served, e.g. https://api.example.com (no trailing path needed). */
  baseUrl: string;
  /** Sent as X-API-Key. Server-side only: the client refuses an API key in a browser. */
  apiKey?: string;
  /** Sent as `Authorization: Bearer`: a user's access token, or a function giving the current one. */
  accessToken?: Token | (() => Token | Promise<Token>);
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Retries (`{ attempts: 1 }` turns them off) and the per-attempt timeout. */
  retry?: Partial<Omit<RetryOptions, "fetch">>;
  /** A fetch to use instead of the global one. */
  fetch?: (request: Request) => Promise<Response>;
}

// Requests whose route takes an Idempotency-Key, by "METHOD /path/{template}".
const keyedRoutes = new Set(
  Object.values(operationTable as Record<string, { method: string; path: string; idempotencyKey: string | false }>)
    .filter((operation) => operation.idempotencyKey)
    .map((operation) => `${operation.method} ${operation.path}`),
);

/**
 * A key per call, made before the first attempt: every retry of that call carries the same one,
 * so the server carries it out once. A key the caller sets is left alone.
 */
const idempotencyKeys: Middleware = {
  onRequest({ request, schemaPath }) {
    if (keyedRoutes.has(`${request.method} ${schemaPath}`) && !request.headers.has("idempotency-key")) {
      // Web Crypto, not node:crypto: the client also runs in browsers and React Native.
      request.headers.set("Idempotency-Key", globalThis.crypto.randomUUID());
    }
    return request;
  },
};

export function createBackplaneClient(options: BackplaneClientOptions): BackplaneClient {
  if (options.apiKey && typeof (globalThis as { window?: unknown }).window !== "undefined") {
    throw new Error("An API key must stay on a server: calling Backplane with one from a browser would expose it");
  }
  const api = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    headers: { ...options.headers, ...(options.apiKey ? { "X-API-Key": options.apiKey } : {}) },
    fetch: retryingFetch({ ...defaultRetryOptions, ...options.retry, fetch: options.fetch ?? ((request) => globalThis.fetch(request)) }),
  });
  api.use(idempotencyKeys);
  const { accessToken } = options;
  if (accessToken) {
    api.use({
      async onRequest({ request }) {
        const token = typeof accessToken === "function" ? await accessToken() : accessToken;
        if (token && !request.headers.has("authorization")) request.headers.set("Authorization", `Bearer ${token}`);
        return request;
      },
    });
  }

  const methods: Record<string, (init?: object) => Promise<unknown>> = {};
  for (const [operationId, operation] of Object.entries(operationTable)) {
    const parseAs = "parseAs" in operation ? operation.parseAs : undefined;
    methods[operationId] = async (init = {}) => {
      const call = api.request as (
        method: string,
        path: string,
        init: object,
      ) => Promise<{ data?: unknown; error?: unknown; response: Response }>;
      const result = await call(operation.method.toLowerCase(), operation.path, parseAs ? { ...init, parseAs } : init);
      if (result.response.ok) return result.data;
      throw new BackplaneError(result.response, result.error);
    };
  }
  return Object.assign(methods as unknown as BackplaneMethods, { api });
}
