import { AsyncLocalStorage } from "node:async_hooks";
import type { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * The embedded database over loopback (psql, the CLI) — safely.
 *
 * PGlite is ONE Postgres session. `@electric-sql/pglite-socket` runs each wire-protocol message of
 * a socket client under `runExclusive`, but between two messages the app's own statements run in
 * that same session: inside a psql `BEGIN … ROLLBACK` (so the app's confirmed writes were rolled
 * back with it), or between its Parse and Execute. Here the session is leased: the app's
 * statements share it with each other, and a socket client takes it exclusively for a whole
 * exchange — up to its Sync/simple query and for as long as it keeps a transaction open — while
 * the app waits. A client that leaves a transaction idle for `idleInTransactionMs` is
 * disconnected and its transaction rolled back, so the app is never held up for longer.
 */
export interface EmbeddedSocketOptions {
  host: string;
  port: number;
  maxConnections?: number;
  idleInTransactionMs?: number;
}

export interface EmbeddedSocket {
  port: number;
  stop(): Promise<void>;
}

export const IDLE_IN_TRANSACTION_MS = 10_000;

/** App statements share the session with each other; a socket client holds it alone. */
class SessionLease {
  private appActive = 0;
  private socketHolds = false;
  private socketWaiting = 0;
  private waiters: (() => void)[] = [];
  // A statement issued while the app already holds the lease (nested) must not queue behind a waiting client.
  private readonly inApp = new AsyncLocalStorage<true>();

  async app<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inApp.getStore()) return fn();
    // A waiting client goes first, so a busy app cannot starve it.
    while (this.socketHolds || this.socketWaiting > 0) await this.next();
    this.appActive++;
    try {
      return await this.inApp.run(true, fn);
    } finally {
      this.appActive--;
      this.wake();
    }
  }

  async acquireSocket(): Promise<void> {
    this.socketWaiting++;
    try {
      while (this.socketHolds || this.appActive > 0) await this.next();
    } finally {
      this.socketWaiting--;
    }
    this.socketHolds = true;
  }

  releaseSocket(): void {
    this.socketHolds = false;
    this.wake();
  }

  private next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

// Frontend messages after which the server answers ReadyForQuery: the end of one exchange.
const endsExchange = new Set([0x51 /* Q */, 0x53 /* S */, 0x58 /* X */]);

/**
 * `COPY … TO/FROM PROGRAM` has no process to run in PGlite: it hangs the exchange and leaves the
 * shared session answering garbage (healthz 503, valid keys 401) until a restart. Such a statement
 * is swapped for one that fails with a clear error before it reaches the database.
 */
const copyProgram = /\bcopy\b[\s\S]*\b(to|from)\s+program\b/i;
const refusal = "DO $refused$ BEGIN RAISE EXCEPTION 'COPY ... PROGRAM is not available on the embedded database socket'; END $refused$";

function cstring(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, "utf8"), Buffer.from([0])]);
}

function frame(type: string, body: Buffer): Uint8Array {
  const header = Buffer.alloc(5);
  header.write(type, 0, "latin1");
  header.writeInt32BE(body.length + 4, 1);
  return new Uint8Array(Buffer.concat([header, body]));
}

/** The message itself, or the refusal in its place. Exported for tests. */
export function guardMessage(message: Uint8Array): Uint8Array {
  const buffer = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const type = buffer[0];
  if (type === 0x51 /* Q */) {
    const sql = buffer.toString("utf8", 5, buffer.length - 1);
    return copyProgram.test(sql) ? frame("Q", cstring(refusal)) : message;
  }
  if (type === 0x50 /* P */) {
    const nameEnd = buffer.indexOf(0, 5);
    const sqlEnd = buffer.indexOf(0, nameEnd + 1);
    const sql = buffer.toString("utf8", nameEnd + 1, sqlEnd);
    if (!copyProgram.test(sql)) return message;
    const name = buffer.subarray(5, nameEnd + 1);
    return frame("P", Buffer.concat([name, cstring(refusal), Buffer.from([0, 0])]));
  }
  return message;
}

type Gated = Pick<PGlite, "query" | "exec" | "transaction">;

/** Exposes `pglite` on loopback; from now on the app's statements take their turn with socket clients. */
export async function startEmbeddedSocket(pglite: PGlite, options: EmbeddedSocketOptions): Promise<EmbeddedSocket> {
  const lease = new SessionLease();
  const idleInTransactionMs = options.idleInTransactionMs ?? IDLE_IN_TRANSACTION_MS;

  // Every app path (our Database, Drizzle, pg-boss's PGlite adapter) goes through these three.
  const original = { query: pglite.query.bind(pglite), exec: pglite.exec.bind(pglite), transaction: pglite.transaction.bind(pglite) };
  const app = pglite as Gated;
  app.query = ((...args: Parameters<PGlite["query"]>) => lease.app(() => original.query(...args))) as PGlite["query"];
  app.exec = ((...args: Parameters<PGlite["exec"]>) => lease.app(() => original.exec(...args))) as PGlite["exec"];
  app.transaction = ((...args: Parameters<PGlite["transaction"]>) =>
    lease.app(() => original.transaction(...args))) as PGlite["transaction"];

  let held = false;
  let lastType = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  const release = () => {
    clearTimeout(idleTimer);
    if (!held) return;
    held = false;
    lease.releaseSocket();
  };

  // What the socket server sees: the real session, with the lease taken around each exchange.
  const overrides: Record<string | symbol, unknown> = {
    runExclusive: async <T>(fn: () => Promise<T>): Promise<T> => {
      clearTimeout(idleTimer);
      if (!held) {
        await lease.acquireSocket();
        held = true;
      }
      try {
        return await pglite.runExclusive(fn);
      } finally {
        if (endsExchange.has(lastType) && !pglite.isInTransaction()) release();
        else idleTimer = setTimeout(() => void breakIdleClient(), idleInTransactionMs);
      }
    },
    execProtocolRawStream: (message: Uint8Array, streamOptions: Parameters<PGlite["execProtocolRawStream"]>[1]) => {
      // A startup message has no type byte (it begins with its length): it ends an exchange too.
      lastType = message[0] === 0 ? 0x53 : (message[0] ?? 0);
      return pglite.execProtocolRawStream(guardMessage(message), streamOptions);
    },
    // Used by the socket server to roll back the transaction of a client that went away.
    exec: async (...args: Parameters<PGlite["exec"]>) => {
      const result = await original.exec(...args);
      if (!pglite.isInTransaction()) release();
      return result;
    },
  };
  const socketSide = new Proxy(pglite, {
    get(target, property) {
      if (property in overrides) return overrides[property];
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });

  const server = new PGLiteSocketServer({
    db: socketSide,
    host: options.host,
    port: options.port,
    maxConnections: options.maxConnections ?? 16,
  });

  /** Like idle_in_transaction_session_timeout: drop the client that holds the session, roll back, let the app on. */
  async function breakIdleClient(): Promise<void> {
    if (!held) return;
    // The library keeps its connections private; reach them to close the one holding the session.
    const internals = server as unknown as {
      handlers: Set<{ handlerId: number; detach(close: boolean): Promise<unknown> }>;
      queryQueue: { lastHandlerId: number | null };
    };
    const holder = [...internals.handlers].find((handler) => handler.handlerId === internals.queryQueue.lastHandlerId);
    if (holder) {
      internals.handlers.delete(holder);
      await holder.detach(true).catch(() => {});
    }
    if (held && pglite.isInTransaction()) await original.exec("ROLLBACK").catch(() => {});
    release();
  }

  await server.start();
  const port = Number(server.getServerConn().split(":").pop());
  return {
    port,
    stop: async () => {
      await server.stop();
      release();
      Object.assign(pglite, original);
    },
  };
}
