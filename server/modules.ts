/**
 * The modules of this product. Adding one is one line here; everything else (REST registry, tRPC
 * router, jobs and their first runs, navigation, Overview's list, the OpenAPI description, WebSocket
 * upgrades) is derived from its manifest.
 */
import { ALL_ROLES, config, ConfigError, type Role } from "./env";
import { API_KEYS, apiKey, type ApiKeyName } from "./auth/api-keys";
import { computeModule } from "./compute";
import type { ModuleManifest, RuntimePart } from "./module";
import { networkPart } from "./network";
import { phasesModule } from "./phases";
import { searchModule } from "./search";
import { validatorModule } from "./validator";

export const MODULES = [phasesModule, validatorModule, computeModule, searchModule] as const;

/** A module as the runtime composes it (the list's own, or one composed beside them). */
export type Module = ModuleManifest;

export function enabledModules(roles: readonly Role[] = config().ROLES): Module[] {
  return MODULES.filter((m) => roles.includes(m.role));
}

/**
 * Checks the whole configuration at once: the base variables and the own variables of every module that is on
 * (every module when ROLES itself is refused), so one start lists every problem.
 */
export function checkConfig(modules: readonly Module[] = MODULES): void {
  const lines: string[] = [];
  let roles: readonly Role[] = ALL_ROLES;
  try {
    roles = config().ROLES;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    lines.push(...e.lines);
  }
  for (const m of modules.filter((m) => roles.includes(m.role))) {
    try {
      m.config?.parse(process.env);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      lines.push(...e.lines);
    }
  }
  if (lines.length) throw new ConfigError(lines);
}

/** What the runtime starts: its own part (the metagraph, pings), then the modules. */
export function runtimeParts(modules: readonly Module[]): RuntimePart[] {
  return [networkPart, ...modules];
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

/** The dashboard's menu: Overview, the modules' pages, Settings. */
export function navigation(modules: readonly Module[] = enabledModules()) {
  return [{ href: "/", label: "Overview" }, ...modules.flatMap((m) => m.nav), { href: "/settings", label: "Settings" }];
}
