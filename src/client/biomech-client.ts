/**
 * The Biomech helpers for the seed's Octane (server-side): `createBiomechClient()` reads
 * BIOMECH_API_KEY and BIOMECH_API_BASE_URL, and pages through sessions. Built on the full client.
 *
 *   const biomech = createBiomechClient();
 *   const page = await biomech.listSessions({ orgId, limit: 50 });
 */
import type { components } from "./api.generated.ts";
import { createBackplaneClient } from "./backplane-client.ts";
import { biomechClientConfigFromEnv } from "./config.ts";

export type BiomechSession = components["schemas"]["BiomechSession"];
export type BiomechSessionPage = components["schemas"]["BiomechSessionPage"];

export interface BiomechClientOptions {
  /** Default: BIOMECH_API_KEY (see `biomechClientConfigFromEnv`). */
  apiKey?: string;
  /** Default: BIOMECH_API_BASE_URL. */
  baseUrl?: string;
  /** Per attempt, in ms (default 10 000). */
  timeoutMs?: number;
  /** Retries after the first attempt on 5xx, 429 and network errors (default 2). */
  retries?: number;
  /** Base backoff in ms, doubled per retry (default 250). */
  retryDelayMs?: number;
  /** A fetch to use instead of the global one. */
  fetch?: (request: Request) => Promise<Response>;
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
  const client = createBackplaneClient({
    baseUrl,
    apiKey,
    retry: { attempts: (options.retries ?? 2) + 1, baseDelayMs: options.retryDelayMs ?? 250, timeoutMs: options.timeoutMs ?? 10_000 },
    fetch: options.fetch,
  });

  return {
    /** One page, newest first. Pass `nextCursor` back as `cursor` for the next page. */
    listSessions(query: { orgId: string; athleteId?: string; limit?: number; cursor?: string }, init?: { signal?: AbortSignal }) {
      return client.listBiomechSessions({ params: { query }, signal: init?.signal });
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
    /** One session; a BackplaneError with status 404 when it is not in that org. */
    getSession(input: { orgId: string; sessionId: string }, init?: { signal?: AbortSignal }) {
      return client.getBiomechSession({
        params: { path: { sessionId: input.sessionId }, query: { orgId: input.orgId } },
        signal: init?.signal,
      });
    },
    /** The typed openapi-fetch client, for anything the helpers above do not cover. */
    api: client.api,
  };
}

export type BiomechClient = ReturnType<typeof createBiomechClient>;
