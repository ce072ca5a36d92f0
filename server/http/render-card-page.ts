import { escapeHtml } from "./escape-html";

// The look of the sign-in card for the few pages route handlers answer with, which cannot render React
// (the authorization error page, the backend callback page). The policy travels in a <meta> tag:
// next.config.mjs sets a Content-Security-Policy header on every path and Next.js keeps it over one a
// route handler sets, so a <meta> policy is the only way a page can tighten it.

const CARD_CSS = `body{margin:0;font-family:ui-sans-serif,system-ui,sans-serif;background:#f8fafc;color:#0f172a}
main{min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;padding:48px 16px}
.brand{font-size:1.5rem;font-weight:700;margin-bottom:32px;color:#0f172a;text-decoration:none}
.card{width:100%;max-width:24rem;background:#fff;border:1px solid #e2e8f0;border-radius:12px;padding:32px;box-shadow:0 1px 2px rgb(0 0 0/.05)}
h1{font-size:1.25rem;font-weight:600;margin:0 0 16px}
p{font-size:.875rem;line-height:1.5;color:#334155;margin:0}`;

export function renderCardPage({
  title,
  cardRole,
  cardHtml,
  css = "",
  contentSecurityPolicy,
  headHtml = "",
  script,
}: {
  /** Plain text; escaped here. */
  title: string;
  cardRole: "status" | "alert";
  /** The card's content after its heading, already escaped by the caller. */
  cardHtml: string;
  /** The page's own rules, after the card's. */
  css?: string;
  contentSecurityPolicy: string;
  /** More <meta> tags, trusted. */
  headHtml?: string;
  /** An inline script the policy allows (by hash), trusted. */
  script?: string;
}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy)}">
${headHtml}<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Tumiki</title>
<style>
${CARD_CSS}
${css}
</style>
</head>
<body>
<main>
<a class="brand" href="/">Tumiki</a>
<div class="card" role="${cardRole}">
<h1>${escapeHtml(title)}</h1>
${cardHtml}
</div>
</main>
${script === undefined ? "" : `<script>${script}</script>\n`}</body>
</html>`;
}
