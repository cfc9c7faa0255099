import { TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../src/modules/training/trpc/app-router.ts";
import { type Listening, listen } from "../../src/platform/server/listen.ts";
import { signInMobile } from "../support/sign-in.ts";
import { createTestApp, type TestApp } from "../support/test-app.ts";
import { trpcClient } from "./trpc-client.ts";

export { trpcClient } from "./trpc-client.ts";

export interface TrainingHarness {
  t: TestApp;
  server: Listening;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

/** The real app served over HTTP on loopback (tRPC clients and fetch talk to it as a phone would). */
export async function startTrainingApp(env: Record<string, string> = {}): Promise<TrainingHarness> {
  const t = await createTestApp({ env: { RATE_LIMITS_ENABLED: "false", ...env } });
  const server = await listen(t.app, { port: 0, host: "127.0.0.1" });
  return {
    t,
    server,
    url: server.url,
    close: async () => {
      await server.close(1000);
      await t.close();
    },
  };
}

export interface MobileUser {
  userId: string;
  email: string;
  accessToken: string;
  refreshToken: string;
  trpc: ReturnType<typeof trpcClient>;
}

let userCounter = 0;

/** Signs a fresh user in through the platform's mobile token flow and gives them a tRPC client. */
export async function mobileUser(h: TrainingHarness, label = "runner"): Promise<MobileUser> {
  const email = `${label}-${process.pid}-${++userCounter}-${Date.now().toString(36)}@example.com`;
  const signedIn = await signInMobile(h.t, email);
  return { ...signedIn, email, trpc: trpcClient(h.url, signedIn.accessToken) };
}

/** The TRPCClientError a call rejected with (fails the test if it resolved). */
export async function trpcFailure(call: Promise<unknown>): Promise<TRPCClientError<AppRouter>> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return error as TRPCClientError<AppRouter>;
    throw error;
  }
  throw new Error("expected the tRPC call to fail, but it succeeded");
}
