import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local Strava + Garmin stand-in on a real port, answering in the vendors' documented shapes:
 * Strava POST /oauth/token (authorization_code and refresh_token grants), GET
 * /api/v3/activities/{id} (DetailedActivity); Garmin ping callbacks (GET /wellness-api/rest/…,
 * a JSON array of summaries). Tests script failures (`failNext`) and read what was asked.
 */
export interface FakeVendor {
  url: string;
  /** STRAVA_API_URL / STRAVA_OAUTH_URL / GARMIN_API_URL pointing here. */
  env: Record<string, string>;
  requests: { method: string; path: string; at: number; authorization: string | null; body: string }[];
  /** Strava activities by id, as GET /activities/{id} returns them. */
  activities: Map<string, Record<string, unknown>>;
  /** Garmin pull results by path+query (the callbackURL handed out in a ping). */
  garminPulls: Map<string, unknown[]>;
  /** Garmin userAccessToken → its userId, answered by GET /wellness-api/rest/user/id. */
  garminUsers: Map<string, string>;
  /** Strava athlete behind each authorization code. */
  codes: Map<string, number>;
  /** Access tokens Strava considers live, with their athlete. */
  liveAccessTokens: Map<string, number>;
  /** The next answers for a path prefix, used up in order (then normal answers resume). */
  failNext(pathPrefix: string, ...answers: ScriptedAnswer[]): void;
  /** Lifetime of the next issued access token, in seconds (Strava: 6 h). */
  tokenLifetimeSeconds: number;
  /** The athlete revokes the app at Strava: every token of theirs stops working. */
  deauthorize(athleteId: number): void;
  close(): Promise<void>;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export const STRAVA_TEST_CLIENT = { STRAVA_CLIENT_ID: "12345", STRAVA_CLIENT_SECRET: "strava-client-secret" };

export function stravaActivity(id: number, athleteId: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resource_state: 3,
    id,
    external_id: `garmin_push_${id}`,
    upload_id: id * 10,
    athlete: { id: athleteId, resource_state: 1 },
    name: "Morning Run",
    distance: 10_012.4,
    moving_time: 3_540,
    elapsed_time: 3_600,
    total_elevation_gain: 38.2,
    type: "Run",
    sport_type: "Run",
    start_date: "2026-03-10T06:30:00Z",
    start_date_local: "2026-03-10T07:30:00Z",
    timezone: "(GMT+01:00) Europe/Paris",
    utc_offset: 3600,
    has_heartrate: true,
    average_heartrate: 150,
    max_heartrate: 178,
    perceived_exertion: null,
    average_speed: 2.781,
    max_speed: 4.1,
    manual: false,
    private: false,
    ...overrides,
  };
}

export async function startFakeVendor(): Promise<FakeVendor> {
  const requests: FakeVendor["requests"] = [];
  const activities = new Map<string, Record<string, unknown>>();
  const garminPulls = new Map<string, unknown[]>();
  const garminUsers = new Map<string, string>();
  const codes = new Map<string, number>();
  const liveAccessTokens = new Map<string, number>();
  const refreshTokens = new Map<string, number>();
  const scripted: (ScriptedAnswer & { prefix: string })[] = [];
  const state = { tokenLifetimeSeconds: 6 * 3600 };

  const issue = (athleteId: number, withAthlete: boolean) => {
    const access = randomBytes(20).toString("hex");
    const refresh = randomBytes(20).toString("hex");
    liveAccessTokens.set(access, athleteId);
    refreshTokens.set(refresh, athleteId);
    const expiresIn = state.tokenLifetimeSeconds;
    return {
      token_type: "Bearer",
      expires_at: Math.floor(Date.now() / 1000) + expiresIn,
      expires_in: expiresIn,
      refresh_token: refresh,
      access_token: access,
      ...(withAthlete
        ? { athlete: { id: athleteId, username: `athlete${athleteId}`, resource_state: 2, firstname: "Ada", lastname: "L" } }
        : {}),
    };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const url = new URL(req.url ?? "/", "http://fake");
      requests.push({
        method: req.method ?? "",
        path: url.pathname + url.search,
        at: Date.now(),
        authorization: req.headers.authorization ?? null,
        body,
      });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(payload));
      };
      const scriptedIndex = scripted.findIndex((entry) => url.pathname.startsWith(entry.prefix));
      if (scriptedIndex >= 0) {
        const [answer] = scripted.splice(scriptedIndex, 1);
        return send(answer!.status, answer!.body ?? { message: "Scripted failure", errors: [] }, answer!.headers);
      }
      if (req.method === "POST" && url.pathname === "/oauth/token") {
        const form = new URLSearchParams(body);
        if (
          form.get("client_id") !== STRAVA_TEST_CLIENT.STRAVA_CLIENT_ID ||
          form.get("client_secret") !== STRAVA_TEST_CLIENT.STRAVA_CLIENT_SECRET
        ) {
          return send(401, { message: "Bad Request", errors: [{ resource: "Application", field: "client_id", code: "invalid" }] });
        }
        if (form.get("grant_type") === "authorization_code") {
          const athlete = codes.get(form.get("code") ?? "");
          if (athlete === undefined) {
            return send(400, { message: "Bad Request", errors: [{ resource: "AuthorizationCode", field: "code", code: "invalid" }] });
          }
          codes.delete(form.get("code") ?? "");
          return send(200, issue(athlete, true));
        }
        if (form.get("grant_type") === "refresh_token") {
          const athlete = refreshTokens.get(form.get("refresh_token") ?? "");
          if (athlete === undefined) {
            return send(400, { message: "Bad Request", errors: [{ resource: "RefreshToken", field: "refresh_token", code: "invalid" }] });
          }
          refreshTokens.delete(form.get("refresh_token") ?? "");
          return send(200, issue(athlete, false));
        }
        return send(400, { message: "Bad Request", errors: [{ resource: "Application", field: "grant_type", code: "invalid" }] });
      }
      const activity = /^\/api\/v3\/activities\/(\d+)$/.exec(url.pathname);
      if (req.method === "GET" && activity) {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
        const athlete = token ? liveAccessTokens.get(token) : undefined;
        if (athlete === undefined) {
          return send(401, { message: "Authorization Error", errors: [{ resource: "Athlete", field: "access_token", code: "invalid" }] });
        }
        const found = activities.get(activity[1]!);
        if (!found || (found.athlete as { id: number }).id !== athlete) {
          return send(404, { message: "Resource Not Found", errors: [{ resource: "Activity", field: "id", code: "not found" }] });
        }
        return send(200, found, { "x-ratelimit-limit": "200,2000", "x-ratelimit-usage": "1,1" });
      }
      if (req.method === "GET" && url.pathname === "/wellness-api/rest/user/id") {
        const userId = garminUsers.get((req.headers.authorization ?? "").replace(/^Bearer /, ""));
        if (!userId) return send(401, { errorMessage: "Unauthorized" });
        return send(200, { userId });
      }
      if (req.method === "GET" && url.pathname.startsWith("/wellness-api/rest/")) {
        const pulled = garminPulls.get(url.pathname + url.search);
        if (!pulled) return send(400, { errorMessage: "InvalidPullTokenException failure" });
        return send(200, pulled);
      }
      send(404, { message: "Resource Not Found", errors: [] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    env: { STRAVA_API_URL: `${url}/api/v3`, STRAVA_OAUTH_URL: `${url}/oauth`, GARMIN_API_URL: url },
    requests,
    activities,
    garminPulls,
    garminUsers,
    codes,
    liveAccessTokens,
    get tokenLifetimeSeconds() {
      return state.tokenLifetimeSeconds;
    },
    set tokenLifetimeSeconds(value: number) {
      state.tokenLifetimeSeconds = value;
    },
    deauthorize(athleteId: number) {
      for (const tokens of [liveAccessTokens, refreshTokens]) {
        for (const [token, athlete] of tokens) if (athlete === athleteId) tokens.delete(token);
      }
    },
    failNext(prefix: string, ...answers: ScriptedAnswer[]) {
      for (const answer of answers) scripted.push({ prefix, ...answer });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
