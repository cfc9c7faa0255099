import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";

/** A server process under test: where it listens, and how to sample and stop it. */
export interface ServerProcess {
  name: string;
  url: string;
  pid: number;
  /** Resident set size now (VmRSS), in bytes. */
  rss(): number;
  /** Peak resident set size since the process started (VmHWM), in bytes. */
  peakRss(): number;
  stop(): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Script run with this same Node binary, and its arguments. */
  args: string[];
  port: number;
  env?: Record<string, string>;
  cwd?: string;
  /** Path polled until it answers 200. */
  readyPath?: string;
  readyTimeoutMs?: number;
}

function procStatus(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

let nextPort = 41_000 + Math.floor(Math.random() * 8_000);
/** Loopback ports for the servers of one run; spaced so embedded helpers (port + 1) never collide. */
export const freshPort = () => {
  nextPort += 3;
  return nextPort;
};

const live = new Set<ChildProcess>();
/** Whatever happens to the runner, the servers it started do not outlive it. */
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  const stderr: string[] = [];
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: {
      HOME: homedir(),
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      PORT: String(options.port),
      HOST: "127.0.0.1",
      ...options.env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  live.add(child);
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr.push(chunk.toString());
    if (stderr.length > 50) stderr.shift();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.once("exit", () => live.delete(child));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  const readyUrl = url + (options.readyPath ?? "/");
  while (true) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode} before it was ready:\n${stderr.join("")}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} was not ready within ${options.readyTimeoutMs ?? 60_000} ms:\n${stderr.join("")}`);
    }
    try {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const pid = child.pid as number;
  return {
    name: options.name,
    url,
    pid,
    rss: () => procStatus(pid, "VmRSS"),
    peakRss: () => procStatus(pid, "VmHWM"),
    stop,
  };
}

/** Runs a command to completion (migrate, seed, build) and returns its stdout; throws with its stderr. */
export async function runToEnd(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
) {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { HOME: homedir(), PATH: process.env.PATH ?? "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  live.delete(child);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${code}):\n${stderr.slice(-4000)}${stdout.slice(-2000)}`);
  return stdout;
}
