import { type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders, ServerResponse } from "node:http";
import { type ResponseRequest, responseRequest } from "../http/response-request-id.ts";

type Header = readonly [string, string];

/**
 * A Node response class that puts the server's headers (the security headers) and the request id
 * on every response inside `writeHead`, as one header list handed over with the app's own, and
 * then tells the request (its log line) the status.
 * Setting them with `setHeader` on each response cost 12 validated calls and a header map that
 * `writeHead` then walks again.
 *
 * The app's headers win, as they did over `setHeader`: anything set on the response before
 * `writeHead`, or passed to it under the same name, takes that path (only the missing ones are added).
 */
export function responseWithHeaders(headers: readonly Header[]): typeof ServerResponse {
  const names = new Set([...headers.map(([name]) => name.toLowerCase()), "x-request-id"]);
  const flat = headers.flat();

  return class ServerResponseWithHeaders<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
    [responseRequest]: ResponseRequest | undefined = undefined;
    /** Something set a header on this response before writeHead. */
    #touched = false;

    override setHeader(name: string, value: number | string | readonly string[]): this {
      this.#touched = true;
      return super.setHeader(name, value);
    }

    override appendHeader(name: string, value: string | readonly string[]): this {
      this.#touched = true;
      return super.appendHeader(name, value);
    }

    override writeHead(
      statusCode: number,
      reason?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
      given?: OutgoingHttpHeaders | OutgoingHttpHeader[],
    ): this {
      const message = typeof reason === "string" ? reason : undefined;
      const own = typeof reason === "string" ? given : (reason ?? given);
      const request = this[responseRequest];
      const requestId = request?.id;
      if (!this.#touched && !Array.isArray(own) && !clashes(own, names)) {
        const list: OutgoingHttpHeader[] = flat.slice();
        if (requestId !== undefined) list.push("x-request-id", requestId);
        for (const name in own) list.push(name, own[name] as OutgoingHttpHeader);
        if (message === undefined) super.writeHead(statusCode, list);
        else super.writeHead(statusCode, message, list);
      } else {
        for (const [name, value] of headers) if (!this.hasHeader(name)) super.setHeader(name, value);
        if (requestId !== undefined && !this.hasHeader("x-request-id")) super.setHeader("x-request-id", requestId);
        if (message === undefined) super.writeHead(statusCode, own);
        else super.writeHead(statusCode, message, own);
      }
      // After the head went out (a second writeHead throws above and says nothing).
      request?.headWritten(statusCode);
      return this;
    }
  } as typeof ServerResponse;
}

function clashes(own: OutgoingHttpHeaders | undefined, names: ReadonlySet<string>): boolean {
  for (const name in own) if (names.has(name.toLowerCase())) return true;
  return false;
}
