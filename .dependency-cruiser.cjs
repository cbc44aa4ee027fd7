/**
 * The layer rules of ARCHITECTURE.md, checked by `npm run lint` (dependency-cruiser).
 * Modules are the folders of server/ whose manifest (a module, or the runtime's own network part) server/modules.ts
 * imports: the list is read from there.
 */
const fs = require("node:fs");
const path = require("node:path");
const manifests = fs.readFileSync(path.join(__dirname, "server", "modules.ts"), "utf8");
const MODULE_NAMES = [...manifests.matchAll(/^import \{ \w+(?:Module|Part) \} from "\.\/([a-z-]+)";$/gm)].map(
  (m) => m[1],
);
if (MODULE_NAMES.length === 0) throw new Error("no module manifests found in server/modules.ts");
const MODULES = `(${MODULE_NAMES.join("|")})`;
// Files a browser component may import: they import nothing but zod (and each other).
const CLIENT_SAFE = ["^server/[^/]+/forms\\.ts$", "^server/crypto/ss58-format\\.ts$"];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "client-gets-no-server-code",
      comment: "Components and lib run in the browser: from server/ they import types, or zod-only form schemas.",
      severity: "error",
      from: { path: "^(components|lib)/" },
      to: { path: "^server/", pathNot: CLIENT_SAFE, dependencyTypesNot: ["type-only"] },
    },
    {
      name: "client-safe-files-import-only-zod",
      comment: "Form schemas shared with the browser import zod and each other only.",
      severity: "error",
      from: { path: CLIENT_SAFE },
      to: { pathNot: ["zod", ...CLIENT_SAFE] },
    },
    {
      name: "next-reaches-the-server-through-the-runtime",
      comment:
        "Pages and route files import server/runtime.ts, server/page-session.ts or server/rest-mount.ts only (one module graph per process).",
      severity: "error",
      from: { path: "^app/" },
      to: {
        path: "^server/",
        pathNot: ["^server/runtime\\.ts$", "^server/page-session\\.ts$", "^server/rest-mount\\.ts$"],
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "runtime-accessor-imports-types-only",
      comment: "server/runtime.ts is evaluated by Next too: it must not pull server modules in.",
      severity: "error",
      from: { path: "^server/(runtime|page-session|rest-mount)\\.ts$" },
      to: { path: "^server/", pathNot: ["^server/runtime\\.ts$"], dependencyTypesNot: ["type-only"] },
    },
    {
      name: "modules-meet-at-their-face",
      comment: "Outside a module, import its index.ts only.",
      severity: "error",
      from: { path: "^server/([^/]+)/" },
      to: { path: `^server/${MODULES}/`, pathNot: ["^server/$1/", `^server/${MODULES}/index\\.ts$`, ...CLIENT_SAFE] },
    },
    {
      name: "services-know-no-http",
      comment:
        "Services and adapters know nothing of Next, next-auth, tRPC or the REST wrapper (routes, routers and manifests do).",
      severity: "error",
      from: {
        path: `^server/(${MODULES.slice(1, -1)}|models|chain|db|jobs|crypto|devnet)/`,
        // Routes, routers and module faces (manifests) may; an adapter's index.ts may not.
        pathNot: ["/(api|api-[a-z]+|router)\\.ts$", `^server/${MODULES}/index\\.ts$`],
      },
      to: { path: ["^node_modules/(next|next-auth|@trpc)/", "^server/(rest|trpc|http|system)/"] },
    },
    {
      name: "shared-layers-do-not-import-modules",
      comment: "Shared layers (REST wrapper, tRPC init, HTTP adapters, adapters) sit below the modules.",
      severity: "error",
      from: {
        path: "^server/(rest|trpc/init|http|db|chain|crypto|jobs|models|auth|cache|errors|env|log|global|bittensor)",
      },
      // The configuration parses PHASE_SCHEDULE with the oracle's pure schedule functions (no I/O, no state).
      to: {
        path: [`^server/${MODULES}/`, "^server/modules\\.ts$", "^server/system/"],
        pathNot: ["^server/phases/schedule\\.ts$"],
      },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: ["^server/db/generated/", "^\\.next/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
