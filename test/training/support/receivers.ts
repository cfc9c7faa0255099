import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/**
 * A local HTTP receiver: records every request and answers with the scripted statuses first
 * (then `ok`). Stands in for the Expo push service and a Standard Webhooks consumer.
 */
export async function startReceiver(ok: (request: Received) => { status: number; body: unknown }) {
  const received: Received[] = [];
  const script: number[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let raw = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
      const request = { path: req.url ?? "/", headers: req.headers, body: raw.toString("utf8"), at: Date.now() };
      received.push(request);
      const scripted = script.shift();
      const answer = scripted === undefined ? ok(request) : { status: scripted, body: { error: "scripted" } };
      res.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    /** The next answers' statuses, used up in order. */
    failNext: (...statuses: number[]) => script.push(...statuses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Expo push API's answer: one ok ticket per message (https://docs.expo.dev/push-notifications/sending-notifications/). */
export const expoTickets = (request: Received) => {
  const messages = JSON.parse(request.body) as unknown[];
  return { status: 200, body: { data: messages.map((_, i) => ({ status: "ok", id: `ticket-${Date.now()}-${i}` })) } };
};
