import type { AppRouter } from "../http/app-env.ts";
import { registerGetSession } from "./routes/get-session.ts";
import { registerIssueToken } from "./routes/issue-token.ts";
import { registerLogout } from "./routes/logout.ts";
import { registerRefreshToken } from "./routes/refresh-token.ts";
import { registerRequestOtp } from "./routes/request-otp.ts";
import { registerVerifyOtp } from "./routes/verify-otp.ts";

/** `/api/auth/*`: the platform's sign-in, serving every module (docs/identity.md). */
export function registerAuthRoutes(app: AppRouter): void {
  registerRequestOtp(app);
  registerVerifyOtp(app);
  registerGetSession(app);
  registerLogout(app);
  registerIssueToken(app);
  registerRefreshToken(app);
  app.openAPIRegistry.registerComponent("securitySchemes", "SessionCookie", { type: "apiKey", in: "cookie", name: "bp_session" });
  app.openAPIRegistry.registerComponent("securitySchemes", "BearerAuth", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
}
