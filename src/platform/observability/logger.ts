import pino, { type Logger } from "pino";

export type { Logger };

// A field is replaced, at any depth, when the last word of its name is a secret's: `apiKey`,
// `x-api-key`, `refresh_token`, `clientSecret`, `set-cookie`, `accesstoken`. Judging the last word,
// not any substring, keeps ids in the log: `createdKeyId`, `keyPrefix` and `tokenId` are not
// secrets, and key management needs its trail.
const secretWords = new Set(["key", "apikey", "otp", "auth", "pass", "pwd", "sid", "signature"]);
// Long enough to be unambiguous at the end of a one-word name (`accesstoken`, `sessioncookie`).
const secretEndings = [
  "secret",
  "password",
  "passwd",
  "passcode",
  "passphrase",
  "token",
  "authorization",
  "cookie",
  "credential",
  "credentials",
];

/** True when a field with this name holds a secret and must not reach a log. */
export function isSecretField(name: string): boolean {
  const last =
    name
      .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean)
      .at(-1) ?? "";
  return secretWords.has(last) || secretEndings.some((ending) => last.endsWith(ending));
}

const REDACTED = "[redacted]";

function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    out[name] = isSecretField(name) && field !== null && field !== undefined ? REDACTED : redactDeep(field, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  level: string;
  pretty?: boolean;
  /** Where lines go; tests pass a stream to capture every line. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Names the headers explicitly too, so they are caught even under an unexpected parent.
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'],
      censor: REDACTED,
    },
    formatters: { log: (object) => redactDeep(object) as Record<string, unknown> },
    serializers: { err: pino.stdSerializers.err },
  };
  if (options.destination) return pino(base, options.destination);
  if (options.pretty) {
    return pino({ ...base, transport: { target: "pino-pretty", options: { colorize: true, ignore: "pid,hostname" } } });
  }
  return pino(base);
}
