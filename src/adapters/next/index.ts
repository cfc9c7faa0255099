/** `backplane/next`: Backplane as the route handlers of a Next.js App Router catch-all route. */
export {
  closeRouteHandlers,
  createRouteHandlers,
  type RouteHandler,
  type RouteHandlers,
  type RouteHandlersOptions,
  serverlessDefaults,
} from "./route-handlers.ts";
