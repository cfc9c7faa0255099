/**
 * Where the request context leaves the request on a Node response that writes its head itself
 * (`listen()`'s response class, see server/server-response.ts): the id goes out with the server's
 * other headers, and the per-request log line is written when the head is.
 */
export const responseRequest = Symbol("responseRequest");

export interface ResponseRequest {
  /** Sent as `x-request-id` unless the app set one. */
  readonly id: string;
  /** Called once, with the status, right after the head is written. */
  headWritten(status: number): void;
}
