/**
 * Where the request context leaves the request id on a Node response that writes it itself, in
 * the same pass as the server's other headers (`listen()`'s response class); see server/listen.ts.
 */
export const responseRequestId = Symbol("responseRequestId");
