/**
 * `backplane/client`: a typed client for every Backplane REST route (`createBackplaneClient`,
 * methods named by operationId), its error type, and the Biomech helpers for server-side callers.
 */
export type { components, operations, paths } from "./api.generated.ts";
export {
  type BackplaneClient,
  type BackplaneClientOptions,
  type BackplaneMethods,
  createBackplaneClient,
  type OperationData,
  type OperationId,
  type OperationInit,
} from "./backplane-client.ts";
/** The Biomech client's error before the full client: the same class. */
export { BackplaneError, BackplaneError as BiomechApiError, type BackplaneErrorCode } from "./backplane-error.ts";
export {
  type BiomechClient,
  type BiomechClientOptions,
  type BiomechSession,
  type BiomechSessionPage,
  createBiomechClient,
} from "./biomech-client.ts";
export { biomechClientConfigFromEnv } from "./config.ts";
export { operationTable } from "./operations.generated.ts";
export { isRetryableStatus, isRetrySafe, type RetryOptions, retryAfterMs } from "./retrying-fetch.ts";
