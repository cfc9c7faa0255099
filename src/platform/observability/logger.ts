import pino, { type Logger } from "pino";

export type { Logger };

// Any field whose name says it holds a secret is replaced, at any depth.
const secretField = /secret|token|password|passwd|key|otp|authorization|cookie|credential/i;
const REDACTED = "[redacted]";

function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    out[name] = secretField.test(name) && field !== null && field !== undefined ? REDACTED : redactDeep(field, depth + 1);
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
