import { setTimeout as sleep } from "node:timers/promises";

/** Polls `check` until it returns a truthy value, at most `timeoutMs`; then fails naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let round = 0; round < 100_000; round++) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) break;
    await sleep(intervalMs);
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
}
