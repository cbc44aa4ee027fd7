/**
 * The modules of this product. Adding one is one line here; everything else (REST registry, tRPC
 * router, jobs and their first runs, navigation, Overview's list, the OpenAPI description, WebSocket
 * upgrades) is derived from its manifest.
 */
import { config, type Role } from "./env";
import { API_KEYS, apiKey, type ApiKeyName } from "./auth/api-keys";
import { computeModule } from "./compute";
import type { RuntimePart } from "./module";
import { networkPart } from "./network";
import { phasesModule } from "./phases";
import { searchModule } from "./search";
import { validatorModule } from "./validator";

export const MODULES = [phasesModule, validatorModule, computeModule, searchModule] as const;

export type Module = (typeof MODULES)[number];

export function enabledModules(roles: readonly Role[] = config().ROLES): Module[] {
  return MODULES.filter((m) => roles.includes(m.role));
}

/** What the runtime starts: its own part (the metagraph, pings), then the enabled modules. */
export function runtimeParts(roles: readonly Role[] = config().ROLES): RuntimePart[] {
  return [networkPart, ...enabledModules(roles)];
}

/** Every module of the product, on or off, for Overview. */
export function moduleList(roles: readonly Role[] = config().ROLES) {
  return MODULES.map((m) => ({
    role: m.role,
    title: m.title,
    paths: [...new Set(m.routes.map((r) => r.def.path))].join(", "),
    enabled: roles.includes(m.role),
    /** A REST surface that answers 403 until it has a key (created on Settings or set in the environment). */
    restKey: restKeyOf(m.role),
  }));
}

function restKeyOf(role: Role): { name: ApiKeyName; env: string; on: boolean } | null {
  if (!(role in API_KEYS)) return null;
  const name = role as ApiKeyName;
  return { name, env: API_KEYS[name].env, on: !!apiKey(name) };
}

/** The dashboard's menu: Overview, the enabled modules' pages, Settings. */
export function navigation(roles: readonly Role[] = config().ROLES) {
  return [
    { href: "/", label: "Overview" },
    ...enabledModules(roles).flatMap((m) => m.nav),
    { href: "/settings", label: "Settings" },
  ];
}
