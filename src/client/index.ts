/**
 * Server-side client for the Backplane Biomech API (`backplane/client`), typed from the
 * API's OpenAPI document. Sends X-API-Key, times out, retries twice on 5xx and network
 * errors, never on 4xx, and refuses to run in a browser, where the key would be exposed.
 *
 *   const biomech = createBiomechClient(); // BIOMECH_API_KEY, BIOMECH_API_BASE_URL
 *   const page = await biomech.listSessions({ orgId, limit: 50 });
 */
import createClient from "openapi-fetch";
import type { components, paths } from "./biomech-api.generated.ts";
import { biomechClientConfigFromEnv } from "./config.ts";
import { retryingFetch } from "./retrying-fetch.ts";

export type { components, paths } from "./biomech-api.generated.ts";
export { biomechClientConfigFromEnv } from "./config.ts";

export type BiomechSession = components["schemas"]["BiomechSession"];
export type BiomechSessionPage = components["schemas"]["BiomechSessionPage"];
type ErrorEnvelope = components["schemas"]["Error"];

export interface BiomechClientOptions {
  /** Default: BIOMECH_API_KEY (see `biomechClientConfigFromEnv`). */
  apiKey?: string;
  /** Default: BIOMECH_API_BASE_URL. */
  baseUrl?: string;
  /** Per attempt, in ms (default 10 000). */
  timeoutMs?: number;
  /** Retries on 5xx/network errors (default 2). */
  retries?: number;
  /** Base backoff in ms, doubled per retry (default 250). */
  retryDelayMs?: number;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/** A 4xx/5xx answer, with the API's error code and request id for the server's logs. */
export class BiomechApiError extends Error {
  override name = "BiomechApiError";
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: unknown;

  constructor(status: number, body: Partial<ErrorEnvelope> | undefined) {
    super(body?.error?.message ?? `Biomech API answered ${status}`);
    this.status = status;
    this.code = body?.error?.code ?? "unknown";
    this.requestId = body?.error?.requestId ?? null;
    this.details = body?.details;
  }
}

function refuseBrowser(): void {
  if (typeof (globalThis as { window?: unknown }).window !== "undefined") {
    throw new Error("The Biomech client is server-only: calling it from a browser would expose the API key");
  }
}

export function createBiomechClient(options: BiomechClientOptions = {}) {
  refuseBrowser();
  // The environment is consulted only for what the options leave out.
  const { apiKey, baseUrl } =
    options.apiKey && options.baseUrl
      ? { apiKey: options.apiKey, baseUrl: options.baseUrl }
      : biomechClientConfigFromEnv(undefined, { apiKey: options.apiKey, baseUrl: options.baseUrl });

  const api = createClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { "X-API-Key": apiKey },
    fetch: retryingFetch({
      retries: options.retries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 250,
      timeoutMs: options.timeoutMs ?? 10_000,
      fetch: options.fetch ?? globalThis.fetch,
    }),
  });

  function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
    if (result.data !== undefined && result.response.ok) return result.data;
    throw new BiomechApiError(result.response.status, result.error as Partial<ErrorEnvelope> | undefined);
  }

  return {
    /** One page, newest first. Pass `nextCursor` back as `cursor` for the next page. */
    async listSessions(query: { orgId: string; athleteId?: string; limit?: number; cursor?: string }, init?: { signal?: AbortSignal }) {
      return unwrap(await api.GET("/api/biomech/sessions", { params: { query }, signal: init?.signal }));
    },
    /** Every session of the query, page by page. */
    async *allSessions(query: { orgId: string; athleteId?: string; pageSize?: number }): AsyncGenerator<BiomechSession> {
      let cursor: string | undefined;
      do {
        const page = await this.listSessions({ orgId: query.orgId, athleteId: query.athleteId, limit: query.pageSize ?? 100, cursor });
        yield* page.data;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },
    /** One session; a BiomechApiError with status 404 when it is not in that org. */
    async getSession(input: { orgId: string; sessionId: string }, init?: { signal?: AbortSignal }) {
      return unwrap(
        await api.GET("/api/biomech/sessions/{sessionId}", {
          params: { path: { sessionId: input.sessionId }, query: { orgId: input.orgId } },
          signal: init?.signal,
        }),
      );
    },
    /** The typed openapi-fetch client, for anything the helpers above do not cover. */
    api,
  };
}

export type BiomechClient = ReturnType<typeof createBiomechClient>;
