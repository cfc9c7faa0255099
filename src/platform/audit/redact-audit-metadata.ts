/**
 * Audit rows outlive the data they describe (AUDIT_RETENTION_DAYS), so they keep ids and facts,
 * never secrets, and only a masked form of personal data.
 */
const secretWords = new Set([
  "key",
  "secret",
  "password",
  "passcode",
  "passphrase",
  "token",
  "otp",
  "code",
  "authorization",
  "cookie",
  "signature",
  "digest",
]);

/** A field is secret when its last word is (`apiKey`, `refresh_token`); `keyId`, `keyPrefix` are not. */
function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return secretWords.has(words.at(-1) ?? "");
}
const emailLike = /^([^@\s]{1,64})@([^@\s]+\.[^@\s]+)$/;
const MAX_STRING = 500;
const MAX_DEPTH = 4;
const MAX_ENTRIES = 50;

/** `ada@example.com` → `a***@example.com`: enough to tell people apart in a trail, not to mail them. */
export function maskEmail(value: string): string {
  const match = emailLike.exec(value);
  return match ? `${match[1]?.[0]}***@${match[2]}` : value;
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") {
    const masked = maskEmail(value);
    return masked.length > MAX_STRING ? `${masked.slice(0, MAX_STRING)}…` : masked;
  }
  if (value === null || typeof value !== "object") return typeof value === "bigint" ? value.toString() : value;
  if (depth >= MAX_DEPTH) return "[truncated]";
  if (Array.isArray(value)) return value.slice(0, MAX_ENTRIES).map((item) => redactValue(item, depth + 1));
  return redactObject(value as Record<string, unknown>, depth + 1);
}

function redactObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(object).slice(0, MAX_ENTRIES)) {
    out[name] = isSecretName(name) ? "[redacted]" : redactValue(value, depth);
  }
  return out;
}

export function redactAuditMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  return redactObject(metadata, 0);
}
