// One set of handlers for every path Backplane serves: the same app `backplane serve` runs, with
// one small PostgreSQL pool per function instance, shared by all the route files that use it.
// Jobs its routes enqueue are run by a `backplane worker` deployed elsewhere (README.md).
import { createRouteHandlers } from "backplane/next";

export const backplane = createRouteHandlers();
