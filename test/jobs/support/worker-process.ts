import { type ChildProcess, spawn } from "node:child_process";
import { homedir } from "node:os";
import path from "node:path";
import { fastJobsEnv } from "./fast-env.ts";

const root = path.resolve(import.meta.dirname, "../../..");
export const jobsTestModulePath = "test/jobs/support/jobs-test-module.ts";
export const cronTestModulePath = "test/jobs/support/cron-test-module.ts";

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/** `backplane worker` as a real child process on Node 24, with the test modules loaded. */
export async function spawnWorker(
  databaseUrl: string,
  env: Record<string, string> = {},
  extraModules = [jobsTestModulePath],
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ["bin/backplane.js", "worker", "--no-migrate"], {
    cwd: root,
    env: {
      // Only what the worker needs: the developer's own environment must not leak into a test.
      HOME: homedir(),
      NODE_ENV: "test",
      ...fastJobsEnv,
      LOG_LEVEL: "warn",
      LOG_PRETTY: "false",
      DATABASE_URL: databaseUrl,
      BACKPLANE_EXTRA_MODULES: extraModules.join(","),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? -1)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start within 20 s:\n${output}`)), 20_000);
    const check = () => {
      if (output.includes("is running")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it started:\n${output}`));
    });
  });
  await ready;
  return { child, output: () => output, exited };
}
