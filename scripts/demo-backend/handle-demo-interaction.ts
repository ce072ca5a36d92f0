import type { IncomingMessage, ServerResponse } from "node:http";
import type { InteractionDetails, Provider } from "oidc-provider";
import { DEMO_SCOPES } from "./create-demo-provider";

// The demo AS's login + consent, one page: type any account name, then Allow or Deny. Each name is its
// own account (its own notes), so a person or a browser test can be anyone. With `autoApproveAccount`
// the page is skipped and the request is approved as that account.

const MAX_ACCOUNT_LENGTH = 64;
const MAX_FORM_BYTES = 4096;

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function requestedScopes(details: InteractionDetails): string[] {
  const scope = typeof details.params.scope === "string" ? details.params.scope : "";
  return [...new Set(scope.split(" ").filter(Boolean))];
}

function requestedResources(details: InteractionDetails, mcpUrl: string): string[] {
  const { resource } = details.params;
  if (Array.isArray(resource)) return resource.filter((r): r is string => typeof r === "string");
  return typeof resource === "string" ? [resource] : [mcpUrl];
}

/** Logs `accountId` in and grants what the client asked for, in one result (no second page). */
async function approve(options: {
  provider: Provider;
  req: IncomingMessage;
  res: ServerResponse;
  details: InteractionDetails;
  accountId: string;
  mcpUrl: string;
}): Promise<void> {
  const { provider, details, accountId } = options;
  const clientId = String(details.params.client_id);
  const scopes = requestedScopes(details);
  const grant = new provider.Grant({ accountId, clientId });
  // oidc-provider checks requested scopes it knows as OpenID scopes and, per resource, the resource
  // server's scopes; the notes scopes are both (see create-demo-provider.ts).
  if (scopes.length > 0) grant.addOIDCScope(scopes.join(" "));
  const notesScopes = scopes.filter((s) => (DEMO_SCOPES as readonly string[]).includes(s));
  for (const resource of requestedResources(details, options.mcpUrl)) {
    if (notesScopes.length > 0) grant.addResourceScope(resource, notesScopes.join(" "));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    options.req,
    options.res,
    { login: { accountId, remember: false }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

function renderPage(options: {
  res: ServerResponse;
  details: InteractionDetails;
  clientName: string;
  error?: string;
}): void {
  const { details } = options;
  const scopes = requestedScopes(details);
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Demo Notes: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
label,input,button{font-size:1rem}input{display:block;width:100%;padding:.4rem;margin:.3rem 0 1rem}
button{padding:.4rem 1rem;margin-right:.5rem}.error{color:#b00020}</style></head>
<body>
<main>
<h1>Demo Notes</h1>
<p><strong>${escapeHtml(options.clientName)}</strong> asks to use your notes${
    scopes.length > 0 ? ` (${escapeHtml(scopes.join(", "))})` : ""
  }.</p>
<p>This is the local demo backend: any account name works, and each name has its own notes.</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ""}
<form method="post" action="/interaction/${encodeURIComponent(details.uid)}">
<label for="account">Account name</label>
<input id="account" name="account" autocomplete="username" maxlength="${MAX_ACCOUNT_LENGTH}" autofocus>
<button type="submit" name="action" value="allow">Allow</button>
<button type="submit" name="action" value="deny">Deny</button>
</form>
</main>
</body>
</html>`;
  options.res.writeHead(options.error ? 400 : 200, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    // No form-action: browsers apply it to the whole redirect chain of the form's POST, which ends at
    // the client's redirect_uri on another origin.
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  });
  options.res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_FORM_BYTES) throw new Error("interaction form too large");
  }
  return new URLSearchParams(body);
}

export async function handleDemoInteraction(options: {
  provider: Provider;
  req: IncomingMessage;
  res: ServerResponse;
  mcpUrl: string;
  autoApproveAccount?: string;
}): Promise<void> {
  const { provider, req, res, mcpUrl } = options;
  // An unknown or finished interaction (a reload after Allow, an expired request, no cookie) is the
  // user's dead end, not a server error.
  const details = await provider.interactionDetails(req, res).catch(() => undefined);
  if (!details) {
    res.writeHead(400, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    res.end(
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo Notes</title></head><body><main><h1>Demo Notes</h1><p>This sign-in request has expired or was already answered. Start again from the app.</p></main></body></html>',
    );
    return;
  }

  if (options.autoApproveAccount) {
    await approve({ provider, req, res, details, accountId: options.autoApproveAccount, mcpUrl });
    return;
  }

  const client = await provider.Client.find(String(details.params.client_id));
  const clientName = client?.clientName ?? String(details.params.client_id);

  if (req.method !== "POST") {
    renderPage({ res, details, clientName });
    return;
  }

  const form = await readForm(req);
  if (form.get("action") === "deny") {
    await provider.interactionFinished(
      req,
      res,
      { error: "access_denied", error_description: "The user denied access to the notes." },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const accountId = (form.get("account") ?? "").trim();
  if (!accountId || accountId.length > MAX_ACCOUNT_LENGTH) {
    renderPage({
      res,
      details,
      clientName,
      error: `Type an account name (1 to ${MAX_ACCOUNT_LENGTH} characters).`,
    });
    return;
  }
  await approve({ provider, req, res, details, accountId, mcpUrl });
}
