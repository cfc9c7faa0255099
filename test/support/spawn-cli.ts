import { type ChildProcess, spawn } from "node:child_process";
import { homedir } from "node:os";
import { fileURLToPath } from "node:url";

const bin = fileURLToPath(new URL("../../bin/backplane.js", import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI in a child process on this Node (24). The child gets only the
 * variables given, so the developer's own environment cannot leak into a test.
 */
export function startCli(
  args: string[],
  env: Record<string, string>,
): ChildProcess & { output: () => CliResult; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { HOME: homedir(), LOG_PRETTY: "false", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const output = () => ({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
  const done = new Promise<CliResult>((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
  return Object.assign(child, { output, done });
}

export function runCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  const child = startCli(args, env);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return child.done.finally(() => clearTimeout(timer));
}

/** Polls until `fn` resolves truthy, bounded by `timeoutMs`. */
export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, label = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
