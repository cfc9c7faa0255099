import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env.ts";
import { AppError } from "./errors.ts";

const bodyMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * 415 for a request body whose media type the path does not accept. JSON everywhere;
 * modules add others by path prefix (e.g. form posts to a webhook trigger).
 */
export function enforceMediaType(extraByPrefix: Record<string, string[]>): MiddlewareHandler<AppEnv> {
  const extras = Object.entries(extraByPrefix);
  return async (c, next) => {
    if (!bodyMethods.has(c.req.method)) return next();
    const length = c.req.header("content-length");
    const hasBody = (length !== undefined && length !== "0") || c.req.header("transfer-encoding") !== undefined;
    if (!hasBody) return next();
    const type = (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (type === "application/json" || type.endsWith("+json")) return next();
    const allowed = extras.find(([prefix, types]) => c.req.path.startsWith(prefix) && types.includes(type));
    if (allowed) return next();
    throw new AppError(
      "unsupported_media_type",
      type ? `Content-Type ${type} is not accepted here; send application/json` : "Send a Content-Type header (application/json)",
    );
  };
}
