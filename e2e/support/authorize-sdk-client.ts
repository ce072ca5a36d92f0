import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { expect, type Page } from "@playwright/test";
import type { InMemoryOAuthClientProvider } from "./in-memory-oauth-client-provider";
import { approveInBrowser, type TLoopbackReceiver } from "./oauth-flow";

// An AI client that knows nothing but the instance URL gets its tokens the way real ones do: the MCP
// SDK's auth() discovers Tumiki's authorization server from the URL, registers, sends the user to the
// consent page (approved in the signed-in browser) and exchanges the code (PKCE).

export async function authorizeSdkClient({
  page,
  loopback,
  provider,
  mcpUrl,
  fetchFn,
  checkConsentPage,
}: {
  page: Page;
  loopback: TLoopbackReceiver;
  provider: InMemoryOAuthClientProvider;
  mcpUrl: string;
  fetchFn: typeof fetch;
  checkConsentPage?: (page: Page) => Promise<void>;
}): Promise<OAuthTokens> {
  expect(await auth(provider, { serverUrl: mcpUrl, fetchFn })).toBe("REDIRECT");
  const authorizationUrl = provider.authorizationUrl;
  if (!authorizationUrl) throw new Error("the SDK did not ask for a redirect");
  expect(authorizationUrl.origin).toBe(new URL(mcpUrl).origin);

  const callback = await approveInBrowser(page, loopback, authorizationUrl, checkConsentPage);
  expect(callback.searchParams.get("state")).toBe(provider.lastState);
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`the authorization response carries no code: ${callback.search}`);

  expect(await auth(provider, { serverUrl: mcpUrl, authorizationCode: code, fetchFn })).toBe("AUTHORIZED");
  const tokens = provider.tokens();
  if (!tokens) throw new Error("the SDK saved no tokens");
  return tokens;
}
