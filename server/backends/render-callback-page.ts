import { createHash } from "node:crypto";
import { getAppUrl } from "../auth/resource-urls";
import { escapeHtml } from "../http/escape-html";
import { renderCardPage } from "../http/render-card-page";
import type { TBackendAuthorizationMessage } from "./backend-authorization-message";

// The page /oauth/callback answers with, in the popup the dashboard opened. It says in words what
// happened (enough on its own when the popup lost its opener, e.g. to a Cross-Origin-Opener-Policy of
// the backend's pages) and, when the opener is still there, tells it by postMessage and closes itself.
// The message goes to Tumiki's own origin only (from APP_URL, never "*"), so no other window that
// became the opener can read it. Every interpolated text is HTML-escaped, and the script's data is JSON
// with `<`, `>`, `&` and the JS line separators escaped, so nothing can close the script element.
// The only script allowed to run is this one, by its hash, in the page's <meta> policy (a header would
// lose to next.config.mjs's, see render-card-page.ts). The referrer meta repeats next.config.mjs's
// no-referrer for this path: the URL carries the authorization code.

export type TCallbackPageOptions = Pick<TBackendAuthorizationMessage, "ok" | "serverId" | "message">;

const escapeScriptJson = (value: unknown) =>
  JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

const PAGE_CSS =
  ".back{display:inline-block;margin-top:16px;color:#0f172a;font-size:.875rem;font-weight:600}";

export function renderCallbackPage({ ok, serverId, message }: TCallbackPageOptions): string {
  const posted: TBackendAuthorizationMessage = {
    source: "tumiki",
    type: "backend-authorization",
    ok,
    ...(serverId ? { serverId } : {}),
    message,
  };
  const data = { targetOrigin: new URL(getAppUrl("/")).origin, message: posted };
  const script = `(function(){var d=${escapeScriptJson(data)};if(window.opener){window.opener.postMessage(d.message,d.targetOrigin);window.close();}})();`;
  const scriptHash = createHash("sha256").update(script, "utf8").digest("base64");
  return renderCardPage({
    title: ok ? "Connected" : "Connection failed",
    cardRole: ok ? "status" : "alert",
    cardHtml: `<p id="result">${escapeHtml(message)}</p>
<a class="back" href="/servers">Back to your servers</a>`,
    css: PAGE_CSS,
    contentSecurityPolicy: `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'`,
    headHtml: '<meta name="referrer" content="no-referrer">\n',
    script,
  });
}
