// Interactive API docs, served entirely from this app (no CDN).
export const dynamic = "force-static";

const html = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>Subnet Console API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  <style>body{margin:0;font-family:system-ui,sans-serif} .topbar{display:none}
  .console-bar{display:flex;gap:1rem;align-items:center;padding:.5rem 1rem;border-bottom:1px solid #e4e4e7;font-size:14px}
  .console-bar a{color:#4338ca}</style>
</head>
<body>
  <nav class="console-bar" aria-label="Subnet Console">
    <a href="/">&larr; Dashboard</a><a href="/openapi.json">openapi.json</a><a href="/metrics">metrics</a>
  </nav>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/docs-init.js"></script>
</body>
</html>`;

export function GET() {
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
}
