/**
 * The modules of this product. Adding one is one line here; everything else (REST registry, tRPC
 * router, jobs, navigation, Overview's list, WebSocket upgrades) is derived from its manifest.
 */
import { config, type Role } from "./env";
import { computeModule } from "./compute";
import { phasesModule } from "./phases";
import { searchModule } from "./search";
import { validatorModule } from "./validator";

export const MODULES = [phasesModule, validatorModule, computeModule, searchModule] as const;

/** Roles announced in the product but not built yet: Overview lists them as such. */
export const PLANNED_MODULES: ReadonlyArray<{ role: Role; title: string; paths: string }> = [];

export type Module = (typeof MODULES)[number];

export function enabledModules(roles: readonly Role[] = config().ROLES): Module[] {
  return MODULES.filter((m) => roles.includes(m.role));
}

/** Every module of the product, on or off, for Overview. */
export function moduleList(roles: readonly Role[] = config().ROLES) {
  return [
    ...MODULES.map((m) => ({
      role: m.role,
      title: m.title,
      paths: [...new Set(m.routes.map((r) => r.def.path))].join(", "),
      built: true,
      enabled: roles.includes(m.role),
    })),
    ...PLANNED_MODULES.map((m) => ({ ...m, built: false, enabled: roles.includes(m.role) })),
  ];
}

/** The dashboard's menu: Overview, the enabled modules' pages, Settings. */
export function navigation(roles: readonly Role[] = config().ROLES) {
  return [
    { href: "/", label: "Overview" },
    ...enabledModules(roles).flatMap((m) => m.nav),
    { href: "/settings", label: "Settings" },
  ];
}

/** The module that owns a dashboard path, if any (its pages answer 404 while it is off). */
export function moduleOfPage(pathname: string): Module | undefined {
  return MODULES.find((m) => m.nav.some((n) => pathname === n.href || pathname.startsWith(`${n.href}/`)));
}
