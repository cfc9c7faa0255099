import Mustache from "mustache";

/**
 * Logic-less templates (mustache): `{{trigger.body.x}}`, `{{steps.<name>.response.body.y}}`.
 * No code runs; a missing value renders empty. `encode` decides how a value is written:
 * as is for bodies and mail, URI-encoded inside a URL.
 */
export function renderTemplate(template: string, view: unknown, encode: (value: string) => string = (value) => value): string {
  return Mustache.render(
    template,
    view,
    {},
    { escape: (value: unknown) => encode(typeof value === "string" ? value : (JSON.stringify(value) ?? "")) },
  );
}

/** Renders every string leaf of a JSON value; keys and structure stay as written. */
export function renderJson(value: unknown, view: unknown): unknown {
  if (typeof value === "string") return renderTemplate(value, view);
  if (Array.isArray(value)) return value.map((item) => renderJson(item, view));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderJson(item, view)]));
  }
  return value;
}
