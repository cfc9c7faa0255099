import type { BackplaneModule } from "../platform/module.ts";
import { biomechModule } from "./biomech/module.ts";
import { communityModule } from "./community/module.ts";
import { insightsModule } from "./insights/module.ts";
import { trainingModule } from "./training/module.ts";
import { workflowsModule } from "./workflows/module.ts";

/** Every module Backplane ships, in migration order. `BACKPLANE_MODULES` picks a subset. */
export const availableModules: BackplaneModule[] = [biomechModule, communityModule, workflowsModule, trainingModule, insightsModule];
