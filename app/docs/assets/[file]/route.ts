import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const INIT = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, tryItOutEnabled: true });`;

export async function GET(_req: Request, { params }: { params: Promise<{ file: string }> }) {
  const { file } = await params;
  if (file === "docs-init.js")
    return new Response(INIT, { headers: { "content-type": "text/javascript; charset=utf-8" } });
  const type = ASSETS[file];
  if (!type) return new Response("Not Found", { status: 404 });
  const full = path.join(process.cwd(), "node_modules", "swagger-ui-dist", file);
  const stream = Readable.toWeb(fs.createReadStream(full)) as ReadableStream<Uint8Array>;
  return new Response(stream, { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });
}
