import { SWAGGER_UI_VERSION } from "./api-reference-assets";

// The HTML of /docs/api: Swagger UI on /api/openapi.json, every file from Tumiki's own origin and no
// inline script, so the page's own Content-Security-Policy can forbid everything else (Swagger UI sets
// inline styles and draws icons from data: URLs; it fetches only the document). The policy is a <meta>
// element: next.config.mjs's Content-Security-Policy header (frame-ancestors 'none', which a <meta>
// cannot express) replaces any header a route handler sets, and a browser enforces both.

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

export function apiReferencePageResponse(): Response {
  const asset = (name: string) => `/docs/api/assets/${name}?v=${encodeURIComponent(SWAGGER_UI_VERSION)}`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · Tumiki</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="${asset("swagger-ui.css")}">
</head>
<body>
<div id="swagger-ui"><noscript>The interactive reference needs JavaScript; the document itself is at <a href="/api/openapi.json">/api/openapi.json</a>.</noscript></div>
<script src="${asset("swagger-ui-bundle.js")}"></script>
<script src="${asset("swagger-initializer.js")}"></script>
</body>
</html>
`;
  return new Response(html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "public, max-age=300",
    },
  });
}
