import { AUTHORIZATION_ERROR_MESSAGES, type TAuthorizationErrorReason } from "./authorization-error-messages";

// The error page of the authorization route handlers, which cannot render React: a small fixed HTML
// document in the look of the sign-in card. The fixed texts of authorization-error-messages.ts go in,
// and at most a `detail` that Tumiki wrote (an OAuth error_description), escaped; it is never cached,
// never framed, and runs no script. `returnTo` adds a plain link back to the client (a registered
// redirect URI carrying the error), named by its target, for the user to follow or not.

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export function authorizationErrorPageResponse({
  reason,
  status,
  detail,
  returnTo,
}: {
  reason: TAuthorizationErrorReason;
  status: number;
  detail?: string;
  /** `href`: where the link leads; `target`: the same, as the user should read it (scheme://host). */
  returnTo?: { href: string; target: string };
}): Response {
  const { title, message } = AUTHORIZATION_ERROR_MESSAGES[reason];
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Tumiki</title>
<style>
body{margin:0;font-family:ui-sans-serif,system-ui,sans-serif;background:#f8fafc;color:#0f172a}
main{min-height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;padding:48px 16px}
.brand{font-size:1.5rem;font-weight:700;margin-bottom:32px;color:#0f172a;text-decoration:none}
.card{width:100%;max-width:24rem;background:#fff;border:1px solid #e2e8f0;border-radius:12px;padding:32px;box-shadow:0 1px 2px rgb(0 0 0/.05)}
h1{font-size:1.25rem;font-weight:600;margin:0 0 16px}
p{font-size:.875rem;line-height:1.5;color:#334155;margin:0}
.detail{margin-top:12px;font-family:ui-monospace,monospace;font-size:.8125rem}
.target{margin-top:16px}
.return{display:inline-block;margin-top:12px;color:#0f172a;font-size:.875rem;font-weight:600}
</style>
</head>
<body>
<main>
<a class="brand" href="/">Tumiki</a>
<div class="card" role="alert">
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
${detail ? `<p class="detail">${escapeHtml(detail)}</p>` : ""}
${
  returnTo
    ? `<p class="target">This link leads to <strong>${escapeHtml(returnTo.target)}</strong>.</p>
<a class="return" href="${escapeHtml(returnTo.href)}" rel="noreferrer">Return to the app</a>`
    : ""
}
</div>
</main>
</body>
</html>`;
  return new Response(html, {
    status,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-store",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      "X-Frame-Options": "DENY",
    },
  });
}
