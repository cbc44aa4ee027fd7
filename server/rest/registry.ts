import { phaseRoutes } from "../phases/api";
import { systemRoutes } from "./system-routes";
import { validatorRoutes } from "../validator/api";
import type { RouteHandler } from "./api-route";

/** Every REST route of the product: the custom server's dispatch table and the OpenAPI document. */
export const restRoutes: RouteHandler[] = [...phaseRoutes, ...validatorRoutes, ...systemRoutes];
