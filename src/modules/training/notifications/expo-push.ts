import { Expo, type ExpoPushMessage, type ExpoPushTicket } from "expo-server-sdk";

/**
 * expo-server-sdk with a configurable service origin (EXPO_PUSH_URL). The SDK fixes its URL at
 * import (from EXPO_BASE_URL, "for internal Expo use"), but takes an undici dispatcher: this one
 * sends each request to the configured origin instead, through the process's global undici agent
 * (the dispatcher protocol of the SDK's own undici, which a newer undici's Agent does not speak).
 */
function redirectingDispatcher(target: URL) {
  const base = (globalThis as Record<symbol, { dispatch: (options: object, handler: object) => boolean }>)[
    Symbol.for("undici.globalDispatcher.1")
  ];
  if (!base) throw new Error("no global undici dispatcher to send Expo pushes through");
  const prefix = target.pathname.replace(/\/$/, "");
  return {
    dispatch: (options: { path: string }, handler: object) =>
      base.dispatch({ ...options, origin: target.origin, path: prefix + options.path }, handler),
  };
}

const clients = new Map<string, Expo>();

export function expoClient(pushUrl: string, accessToken?: string): Expo {
  const key = `${pushUrl} ${accessToken ?? ""}`;
  let client = clients.get(key);
  if (!client) {
    const isDefault = new URL(pushUrl).origin === "https://exp.host" && new URL(pushUrl).pathname === "/";
    client = new Expo({
      ...(accessToken ? { accessToken } : {}),
      // biome-ignore lint/suspicious/noExplicitAny: the SDK types its dispatcher as its own undici's class
      ...(isDefault ? {} : { httpAgent: redirectingDispatcher(new URL(pushUrl)) as any }),
    });
    clients.set(key, client);
  }
  return client;
}

export interface PushOutcome {
  sent: number;
  /** Tokens Expo says are dead (DeviceNotRegistered): to forget. */
  deadTokens: string[];
  /** Other per-message errors (not retried: the ticket is final). */
  errors: string[];
}

/** Sends one message to each token; throws (so the job retries) when the service itself fails. */
export async function sendExpoPush(client: Expo, tokens: string[], message: Omit<ExpoPushMessage, "to">): Promise<PushOutcome> {
  const valid = tokens.filter((token) => Expo.isExpoPushToken(token));
  const outcome: PushOutcome = { sent: 0, deadTokens: tokens.filter((token) => !Expo.isExpoPushToken(token)), errors: [] };
  for (const chunk of client.chunkPushNotifications(valid.map((to) => ({ ...message, to })))) {
    const tickets: ExpoPushTicket[] = await client.sendPushNotificationsAsync(chunk);
    tickets.forEach((ticket, index) => {
      if (ticket.status === "ok") outcome.sent++;
      else if (ticket.details?.error === "DeviceNotRegistered") outcome.deadTokens.push(String(chunk[index]?.to));
      else outcome.errors.push(`${ticket.details?.error ?? "error"}: ${ticket.message}`);
    });
  }
  return outcome;
}
