import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Config } from "../config/config.ts";
import { DatabaseUnreachableError } from "./connection-errors.ts";
import type { Database } from "./database.ts";
import type { EmbeddedSocket } from "./embedded-socket.ts";
import type { openPglite } from "./open-pglite.ts";
import { openPostgres } from "./open-postgres.ts";

export interface OpenDatabaseOptions {
  /** Long-running commands expose the embedded database on loopback for the CLI and psql. */
  exposeEmbedded?: boolean;
  applicationName?: string;
  /** Called with a one-line notice (e.g. "connected through the running server"). */
  notice?: (message: string) => void;
}

export type OpenedDatabase = Database & {
  /** Where psql can reach this database, when it can. */
  connectionUrl: string | null;
  /** A pg connection string for drivers that need one (pg-boss); null for in-process PGlite. */
  via: "postgres" | "embedded" | "embedded-socket";
};

interface EmbeddedLock {
  pid: number;
  url: string | null;
  /** A long-running process (start/serve) that keeps the folder and exposes no socket. */
  serving?: boolean;
}

const lockPath = (dataDir: string) => `${dataDir}.lock.json`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readLock(file: string): EmbeddedLock | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as EmbeddedLock;
  } catch {
    return null;
  }
}

/** Takes the embedded data folder, or reports who holds it. PGlite must never be opened twice. */
async function acquireEmbedded(dataDir: string): Promise<{ release: () => void } | { heldBy: EmbeddedLock }> {
  const file = lockPath(dataDir);
  mkdirSync(path.dirname(file), { recursive: true });
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, url: null } satisfies EmbeddedLock), { flag: "wx" });
      return { release: () => rmSync(file, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const held = readLock(file);
    if (held && !isAlive(held.pid)) {
      rmSync(file, { force: true }); // stale: its process is gone
      continue;
    }
    if (held?.url) return { heldBy: held };
    if (held?.serving) {
      throw new Error(
        `The embedded database ${dataDir} is in use by process ${held.pid}, which does not expose it (BACKPLANE_EMBEDDED_SOCKET=false); stop it, or use its HTTP API`,
      );
    }
    // Another short CLI command has it, or the lock is being written: wait a moment.
    if (Date.now() > deadline) {
      throw new Error(`The embedded database ${dataDir} is in use by process ${held?.pid ?? "?"}; stop it or set DATABASE_URL`);
    }
    await sleep(100);
  }
}

/** The first query at boot: a database that cannot be reached is reported as such, not as a bare socket error. */
async function checkConnection(db: Database, where: { url: string; variable: string }): Promise<void> {
  try {
    await db.ping();
  } catch (error) {
    await db.close().catch(() => {});
    throw new DatabaseUnreachableError(where, error);
  }
}

export async function openDatabase(config: Config, options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  if (config.DATABASE_URL) {
    const db = openPostgres({
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      applicationName: options.applicationName,
      preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
    });
    await checkConnection(db, { url: config.DATABASE_URL, variable: "DATABASE_URL" });
    return Object.assign(db, { connectionUrl: config.DATABASE_URL, via: "postgres" as const });
  }

  const acquired = await acquireEmbedded(config.dataDir);
  if ("heldBy" in acquired) {
    const url = acquired.heldBy.url as string;
    options.notice?.(`The embedded database is open in process ${acquired.heldBy.pid}; connecting through it at ${url}`);
    // The socket multiplexes onto PGlite's single session: keep the pool tiny.
    // No prepared statements: every socket client shares PGlite's one session, which keeps what
    // each client prepared after it leaves, so another process's Parse of the same name fails.
    const db = openPostgres({ url, poolMax: 1, applicationName: options.applicationName, preparedStatements: false });
    await checkConnection(db, { url, variable: `BACKPLANE_EMBEDDED_PG_PORT, served by process ${acquired.heldBy.pid}` });
    return Object.assign(db, { connectionUrl: url, via: "embedded-socket" as const });
  }

  let db: Awaited<ReturnType<typeof openPglite>>;
  try {
    mkdirSync(config.dataDir, { recursive: true });
    // Loaded only here: a process on DATABASE_URL never pays for PGlite's code (boot time, memory).
    db = await (await import("./open-pglite.ts")).openPglite(config.dataDir);
  } catch (error) {
    acquired.release();
    throw error;
  }

  let socketServer: EmbeddedSocket | null = null;
  let connectionUrl: string | null = null;
  if (options.exposeEmbedded && !config.BACKPLANE_EMBEDDED_SOCKET) {
    writeFileSync(lockPath(config.dataDir), JSON.stringify({ pid: process.pid, url: null, serving: true } satisfies EmbeddedLock));
  }
  if (options.exposeEmbedded && config.BACKPLANE_EMBEDDED_SOCKET) {
    try {
      const { startEmbeddedSocket } = await import("./embedded-socket.ts");
      socketServer = await startEmbeddedSocket(db.pglite, { host: "127.0.0.1", port: config.BACKPLANE_EMBEDDED_PG_PORT });
      connectionUrl = `postgres://postgres@127.0.0.1:${config.BACKPLANE_EMBEDDED_PG_PORT}/postgres?sslmode=disable`;
      writeFileSync(lockPath(config.dataDir), JSON.stringify({ pid: process.pid, url: connectionUrl } satisfies EmbeddedLock));
    } catch (error) {
      options.notice?.(
        `Could not expose the embedded database on 127.0.0.1:${config.BACKPLANE_EMBEDDED_PG_PORT} (${(error as Error).message}); the CLI cannot reach it while this process runs`,
      );
    }
  }

  const close = db.close;
  return Object.assign(db, {
    connectionUrl,
    via: "embedded" as const,
    async close() {
      await socketServer?.stop().catch(() => {});
      await close();
      acquired.release();
    },
  });
}
