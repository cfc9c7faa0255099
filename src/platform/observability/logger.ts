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

const levelMethods = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);
/** Asked of a lazy child, answers its real pino child (made now if need be). */
const materialize = Symbol("materialize");

/**
 * `parent.child(bindings)`, made only when something is logged through it at an enabled level.
 * A pino child costs a few µs (its bindings are serialized up front) and every request binds two
 * (request id, then principal), while at `warn` a request that goes well logs nothing. Level
 * checks are answered by the parent (a child shares its level); anything else makes the child.
 */
export function lazyChild(parent: Logger, bindings: pino.Bindings): Logger {
  let child: Logger | undefined;
  const real = (): Logger => {
    // Under a lazy parent the real child hangs off the parent's real logger.
    const base = (parent as unknown as { [materialize]?: () => Logger })[materialize]?.() ?? parent;
    child ??= base.child(bindings);
    return child;
  };
  const methods = new Map<PropertyKey, unknown>();
  const proxy: Logger = new Proxy(Object.create(null) as Logger, {
    get(_, property) {
      if (property === materialize) return real;
      if (child) return Reflect.get(child, property, child);
      const known = methods.get(property);
      if (known) return known;
      let value: unknown;
      if (typeof property === "string" && levelMethods.has(property)) {
        value = (...args: unknown[]) => {
          if (parent.isLevelEnabled(property)) (real()[property as pino.Level] as (...a: unknown[]) => void)(...args);
        };
      } else if (property === "child") {
        value = (more: pino.Bindings, options?: pino.ChildLoggerOptions) =>
          options ? real().child(more, options) : lazyChild(proxy, more);
      } else if (property === "isLevelEnabled") {
        value = (level: string) => parent.isLevelEnabled(level);
      } else if (property === "level") {
        return parent.level;
      } else {
        const target = real();
        const found = Reflect.get(target, property, target);
        return typeof found === "function" ? found.bind(target) : found;
      }
      methods.set(property, value);
      return value;
    },
    // Anything else (setting the level, enumerating) is the real child's.
    set: (_, property, value) => Reflect.set(real(), property, value),
    has: (_, property) => Reflect.has(real(), property),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), property);
      // The proxy's target is an empty, extensible object: report every property as configurable.
      return descriptor ? { ...descriptor, configurable: true } : undefined;
    },
  });
  return proxy;
}
