import { createHash } from "node:crypto";
import { getAppUrl } from "../auth/resource-urls";

// The page /oauth/callback answers with, in the popup the dashboard opened. It says in words what
// happened (enough on its own when the popup lost its opener, e.g. to a Cross-Origin-Opener-Policy of
// the backend's pages) and, when the opener is still there, tells it by postMessage and closes itself.
// The message goes to Tumiki's own origin only (from APP_URL, never "*"), so no other window that
// became the opener can read it. Every interpolated text is HTML-escaped, and the script's data is JSON
// with `<`, `>`, `&` and the JS line separators escaped, so nothing can close the script element.
// The only script allowed to run is this one, by its hash: the policy comes back both as a header
// value and in a <meta> tag, because next.config.mjs already sets a Content-Security-Policy header on
// every path and Next.js keeps that one when a route handler sets the same header.

export type TCallbackPageOptions = {
  ok: boolean;
  /** The backend server the result is about, when that is known to belong to the user. */
  serverId?: string;
  message: string;
};

export type TCallbackPage = { html: string; contentSecurityPolicy: string };

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const escapeScriptJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

export function renderCallbackPage({ ok, serverId, message }: TCallbackPageOptions): TCallbackPage {
  const data = {
    targetOrigin: new URL(getAppUrl("/")).origin,
    message: {
      source: "tumiki",
      type: "backend-authorization",
      ok,
      ...(serverId ? { serverId } : {}),
      message,
    },
  };
  const script = `(function(){var d=${escapeScriptJson(data)};if(window.opener){window.opener.postMessage(d.message,d.targetOrigin);window.close();}})();`;
  const scriptHash = createHash("sha256").update(script, "utf8").digest("base64");
  const documentPolicy = `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'`;
  const title = ok ? "Connected" : "Connection failed";
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(documentPolicy)}">
<meta name="referrer" content="no-referrer">
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
.back{display:inline-block;margin-top:16px;color:#0f172a;font-size:.875rem;font-weight:600}
</style>
</head>
<body>
<main>
<a class="brand" href="/">Tumiki</a>
<div class="card" role="${ok ? "status" : "alert"}">
<h1>${escapeHtml(title)}</h1>
<p id="result">${escapeHtml(message)}</p>
<a class="back" href="/servers">Back to your servers</a>
</div>
</main>
<script>${script}</script>
</body>
</html>`;
  return { html, contentSecurityPolicy: `${documentPolicy}; frame-ancestors 'none'` };
}
