import { escapeHtml } from "../../http/escape-html";
import { renderCardPage } from "../../http/render-card-page";
import { AUTHORIZATION_ERROR_MESSAGES, type TAuthorizationErrorReason } from "./authorization-error-messages";

// The error page of the authorization route handlers, which cannot render React: a small fixed HTML
// document in the look of the sign-in card. The fixed texts of authorization-error-messages.ts go in,
// and at most a `detail` that Tumiki wrote (an OAuth error_description), escaped; it is never cached,
// never framed, and runs no script. `returnTo` adds a plain link back to the client (a registered
// redirect URI carrying the error), named by its target, for the user to follow or not.

const PAGE_CSS = `.detail{margin-top:12px;font-family:ui-monospace,monospace;font-size:.8125rem}
.target{margin-top:16px}
.return{display:inline-block;margin-top:12px;color:#0f172a;font-size:.875rem;font-weight:600}`;

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
  const html = renderCardPage({
    title,
    cardRole: "alert",
    cardHtml: `<p>${escapeHtml(message)}</p>
${detail ? `<p class="detail">${escapeHtml(detail)}</p>` : ""}
${
  returnTo
    ? `<p class="target">This link leads to <strong>${escapeHtml(returnTo.target)}</strong>.</p>
<a class="return" href="${escapeHtml(returnTo.href)}" rel="noreferrer">Return to the app</a>`
    : ""
}`,
    css: PAGE_CSS,
    contentSecurityPolicy:
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
  });
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
