/**
 * The shape of the code, as reviews measure it: source files and lines (server, app, components, lib), files
 * over 300 lines, functions over 80 lines (nested ones counted on their own), db() calls in routers.
 * `npx tsx scripts/code-metrics.ts [--list]`
 */
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(__dirname, "..");
const DIRS = ["server", "app", "components", "lib"];
const list = process.argv.includes("--list");

function* sources(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "generated" && e.name !== "node_modules") yield* sources(p);
    } else if (/\.tsx?$/.test(e.name) && !e.name.endsWith(".d.ts")) yield p;
  }
}

const files = DIRS.flatMap((d) => [...sources(path.join(ROOT, d))]);
let lines = 0;
const longFiles: Array<[string, number]> = [];
const longFunctions: Array<[string, number]> = [];
let routerDb = 0;
for (const file of files) {
  const text = fs.readFileSync(file, "utf8");
  const rel = path.relative(ROOT, file);
  const n = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  lines += n;
  if (n > 300) longFiles.push([rel, n]);
  if (/(^|\/)router\.ts$/.test(rel)) routerDb += (text.match(/\bdb\(\)/g) ?? []).length;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = (node as ts.FunctionDeclaration).name?.getText(sf) ?? "(anonymous)";
      if (end - start + 1 > 80) longFunctions.push([`${rel}:${start + 1} ${name}`, end - start + 1]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

console.log(`source files ${files.length}, lines ${lines}`);
console.log(`files over 300 lines: ${longFiles.length}`);
if (list) for (const [f, n] of longFiles.sort((a, b) => b[1] - a[1])) console.log(`  ${n}  ${f}`);
console.log(`functions over 80 lines: ${longFunctions.length}`);
if (list) for (const [f, n] of longFunctions.sort((a, b) => b[1] - a[1])) console.log(`  ${n}  ${f}`);
console.log(`db() calls in routers: ${routerDb}`);
