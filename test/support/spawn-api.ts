import { createServer } from "node:net";
import { type CliResult, startCli } from "./spawn-cli.ts";
import { TEST_SECRET } from "./test-app.ts";

export interface ApiProcess {
  url: string;
  pid: number;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the process has exited. */
  done: Promise<CliResult>;
  output(): CliResult;
}

/** A loopback port nothing listens on right now (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `backplane serve` as a real child process on an already migrated database, answered on
 * `port`; resolves once it prints that it is up (bounded: 30 s).
 */
export async function spawnApi(databaseUrl: string, port: number, env: Record<string, string> = {}): Promise<ApiProcess> {
  const child = startCli(["serve", "--no-migrate"], {
    DATABASE_URL: databaseUrl,
    BACKPLANE_SECRET: TEST_SECRET,
    PORT: String(port),
    LOG_LEVEL: "warn",
    ...env,
  });
  const deadline = Date.now() + 30_000;
  while (!child.output().stdout.includes("Backplane is up")) {
    const { code, signal, stdout, stderr } = child.output();
    if (code !== null || signal !== null) throw new Error(`the API exited (${code ?? signal}) before it was up:\n${stdout}\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the API was not up within 30 s:\n${stdout}\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    kill: (signal) => child.kill(signal),
    done: child.done,
    output: child.output,
  };
}
