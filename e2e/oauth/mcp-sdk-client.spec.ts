import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Page } from "@playwright/test";
import { InMemoryOAuthClientProvider } from "../support/in-memory-oauth-client-provider";
import {
  approveInBrowser,
  CIMD_ORIGIN,
  postInitialize,
  type TLoopbackReceiver,
  uniqueName,
} from "../support/oauth-flow";
import { actAsClientAddress, expect, test } from "../support/oauth-test";
import { signUpAndSignIn } from "../support/session";
import { createInstance } from "../support/trpc";

// The tier-1 flow as real AI clients run it: the MCP SDK's own auth() (discovery from the 401, then
// registration, authorization with PKCE, token exchange, refresh) and its Streamable HTTP client, with
// the user approving the consent page in Chromium. Once by Dynamic Client Registration, once by a
// Client ID Metadata Document served over https by e2e/fixtures/cimd-host.mts.

const { fetch: clientFetch } = actAsClientAddress();

async function connectWithSdk(
  page: Page,
  loopback: TLoopbackReceiver,
  provider: InMemoryOAuthClientProvider,
  mcpUrl: string,
  checkConsentPage?: (page: Page) => Promise<void>,
) {
  expect(await auth(provider, { serverUrl: mcpUrl, fetchFn: clientFetch })).toBe("REDIRECT");
  const authorizationUrl = provider.authorizationUrl;
  if (!authorizationUrl) throw new Error("the SDK did not ask for a redirect");
  expect(authorizationUrl.searchParams.get("code_challenge_method")).toBe("S256");
  expect(authorizationUrl.searchParams.get("resource")).toBe(mcpUrl);

  const callback = await approveInBrowser(page, loopback, authorizationUrl, checkConsentPage);
  // The SDK checks neither, so the test does: state comes back unchanged, iss names Tumiki (RFC 9207).
  expect(callback.searchParams.get("state")).toBe(provider.lastState);
  expect(callback.searchParams.get("iss")).toBe(new URL(mcpUrl).origin);
  const code = callback.searchParams.get("code");
  expect(code).toBeTruthy();

  expect(
    await auth(provider, { serverUrl: mcpUrl, authorizationCode: code ?? "", fetchFn: clientFetch }),
  ).toBe("AUTHORIZED");
  return provider.tokens();
}

async function listToolsWithSdk(provider: InMemoryOAuthClientProvider, mcpUrl: string) {
  const client = new Client({ name: "e2e-sdk-client", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    authProvider: provider,
    fetch: clientFetch,
  });
  await client.connect(transport);
  try {
    return await client.listTools();
  } finally {
    await client.close();
  }
}

async function revoke(baseURL: string, clientId: string, token: string) {
  const response = await clientFetch(`${baseURL}/oauth/revoke`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token, token_type_hint: "refresh_token", client_id: clientId }),
  });
  expect(response.status).toBe(200);
}

/**
 * What every client does after the first consent: use the token, refresh it (both tokens rotate and
 * the new ones work), and lose access once the refresh token is revoked (RFC 7009): the family and the
 * access tokens issued from it die together, and the 401 names the instance's metadata.
 */
async function useRefreshAndRevoke(
  provider: InMemoryOAuthClientProvider,
  mcpUrl: string,
  first: Awaited<ReturnType<typeof connectWithSdk>>,
) {
  expect(first?.refresh_token).toBeTruthy();
  expect((await listToolsWithSdk(provider, mcpUrl)).tools).toEqual([]);

  expect(await auth(provider, { serverUrl: mcpUrl, fetchFn: clientFetch })).toBe("AUTHORIZED");
  const second = provider.tokens();
  expect(second?.access_token).not.toBe(first?.access_token);
  expect(second?.refresh_token).not.toBe(first?.refresh_token);
  expect((await postInitialize(mcpUrl, second?.access_token ?? "", clientFetch)).status).toBe(200);

  await revoke(
    new URL(mcpUrl).origin,
    provider.clientInformation()?.client_id ?? "",
    second?.refresh_token ?? "",
  );
  const refused = await postInitialize(mcpUrl, second?.access_token ?? "", clientFetch);
  expect(refused.status).toBe(401);
  const challenge = refused.headers.get("www-authenticate");
  expect(challenge).toContain('error="invalid_token"');
  const instanceId = new URL(mcpUrl).pathname.split("/").at(-1);
  expect(challenge).toContain(
    `resource_metadata="${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp/${instanceId}"`,
  );
}

test("an SDK client registers dynamically, connects, refreshes, and loses access once revoked", async ({
  page,
  baseURL,
  loopback,
}) => {
  await signUpAndSignIn(page.request);
  const instance = await createInstance(page.request, uniqueName("sdk"));
  const mcpUrl = `${baseURL}/mcp/${instance.id}`;
  const provider = new InMemoryOAuthClientProvider({
    clientName: "E2E SDK client",
    redirectUri: loopback.redirectUri,
  });

  const first = await connectWithSdk(page, loopback, provider, mcpUrl);
  expect(provider.clientInformation()?.client_id).toBeTruthy();
  await useRefreshAndRevoke(provider, mcpUrl, first);
});

test("an SDK client with a Client ID Metadata Document connects without registering, refreshes, is revoked", async ({
  page,
  baseURL,
  loopback,
}) => {
  await signUpAndSignIn(page.request);
  const instance = await createInstance(page.request, uniqueName("cimd"));
  const mcpUrl = `${baseURL}/mcp/${instance.id}`;
  const clientMetadataUrl = `${CIMD_ORIGIN}/clients/${uniqueName("sdk")}.json`;
  // The document registers port 3399; a loopback redirect URI may use any port (RFC 8252 §7.3).
  const provider = new InMemoryOAuthClientProvider({
    clientName: "E2E CIMD client",
    redirectUri: loopback.redirectUri,
    clientMetadataUrl,
  });

  const tokens = await connectWithSdk(page, loopback, provider, mcpUrl, async (consentPage) => {
    // The consent page says where the client comes from: the document's host, not a claimed name alone.
    await expect(consentPage.getByText(new URL(CIMD_ORIGIN).host).first()).toBeVisible();
  });
  // The client_id is the document's URL: nothing was registered.
  expect(provider.authorizationUrl?.searchParams.get("client_id")).toBe(clientMetadataUrl);
  expect(provider.clientInformation()?.client_id).toBe(clientMetadataUrl);
  await useRefreshAndRevoke(provider, mcpUrl, tokens);
});
