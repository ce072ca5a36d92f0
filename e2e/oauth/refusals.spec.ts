import * as oauth from "oauth4webapi";
import { approveInBrowser, fetchFrom, postInitialize, uniqueName } from "../support/oauth-flow";
import { actAsClientAddress, expect, test } from "../support/oauth-test";
import { signUpAndSignIn } from "../support/session";
import { callTrpc, createInstance } from "../support/trpc";
import { createTestClientIp } from "../support/users";

// The rules of the authorization server and the protected resource, checked over real HTTP against the
// running app (the unit and database tests check each rule in depth through the route handlers).

const { fetch: clientFetch } = actAsClientAddress();

/** Registers from an address of its own: registration allows 10 an hour per address. */
async function register(baseURL: string | undefined, redirectUris: string[]) {
  return fetchFrom(createTestClientIp())(`${baseURL}/oauth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "E2E refusals",
      redirect_uris: redirectUris,
      token_endpoint_auth_method: "none",
    }),
  });
}

function authorizeUrl(params: Record<string, string>) {
  return `/oauth/authorize?${new URLSearchParams({ response_type: "code", ...params })}`;
}

test("registration refuses redirect URIs that are not https or loopback, or are disguised", async ({
  baseURL,
}) => {
  for (const uri of [
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "data:text/html,x",
    "http://evil.example/cb",
    "https://app.example/cb#frag",
  ]) {
    const response = await register(baseURL, [uri]);
    expect(response.status, uri).toBe(400);
    expect(await response.json()).toMatchObject({ error: "invalid_redirect_uri" });
    expect(response.headers.get("cache-control")).toContain("no-store");
  }
});

test("an unknown client or an unregistered redirect URI gets an error page, never a redirect", async ({
  page,
  baseURL,
  loopback,
}) => {
  await signUpAndSignIn(page.request);
  const registered = await ((await register(baseURL, [loopback.redirectUri])).json() as Promise<{
    client_id: string;
  }>);
  const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
  const base = { code_challenge: challenge, code_challenge_method: "S256", state: "s" };

  for (const params of [
    { ...base, client_id: "no-such-client", redirect_uri: loopback.redirectUri },
    { ...base, client_id: registered.client_id, redirect_uri: `${loopback.redirectUri}/` },
    { ...base, client_id: registered.client_id, redirect_uri: "https://evil.example/callback" },
  ]) {
    const response = await page.request.get(authorizeUrl(params), { maxRedirects: 0 });
    expect(response.status()).toBe(400);
    expect(response.headers().location).toBeUndefined();
    expect(response.headers()["content-type"]).toContain("text/html");
  }
});

test("PKCE plain is refused on a page whose return link carries the error, state and iss", async ({
  page,
  baseURL,
  loopback,
}) => {
  await signUpAndSignIn(page.request);
  const instance = await createInstance(page.request, uniqueName("pkce"));
  const registered = await ((await register(baseURL, [loopback.redirectUri])).json() as Promise<{
    client_id: string;
  }>);
  // No automatic redirect to a client the user never approved (RFC 9700 §4.11.2): the user may follow
  // the link to return, carrying the error.
  const response = await page.goto(
    authorizeUrl({
      client_id: registered.client_id,
      redirect_uri: loopback.redirectUri,
      code_challenge: "a".repeat(43),
      code_challenge_method: "plain",
      state: "state-123",
      resource: `${baseURL}/mcp/${instance.id}`,
    }),
  );
  expect(response?.status()).toBe(400);
  expect(new URL(page.url()).pathname).toBe("/oauth/authorize");
  await expect(page.getByText("invalid_request")).toBeVisible();
  const href = await page.getByRole("link", { name: "Return to the app" }).getAttribute("href");
  const link = new URL(href ?? "");
  expect(`${link.origin}${link.pathname}`).toBe(loopback.redirectUri);
  expect(link.searchParams.get("error")).toBe("invalid_request");
  expect(link.searchParams.get("state")).toBe("state-123");
  expect(link.searchParams.get("iss")).toBe(new URL(baseURL ?? "").origin);
});

test("a replayed authorization code fails and revokes the tokens the first exchange issued", async ({
  page,
  baseURL,
  loopback,
}) => {
  await signUpAndSignIn(page.request);
  const instance = await createInstance(page.request, uniqueName("replay"));
  const resource = `${baseURL}/mcp/${instance.id}`;
  const registered = await ((await register(baseURL, [loopback.redirectUri])).json() as Promise<{
    client_id: string;
  }>);
  const verifier = oauth.generateRandomCodeVerifier();
  const callback = await approveInBrowser(
    page,
    loopback,
    `${baseURL}${authorizeUrl({
      client_id: registered.client_id,
      redirect_uri: loopback.redirectUri,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "st",
      resource,
    })}`,
  );
  const exchange = () =>
    clientFetch(`${baseURL}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: callback.searchParams.get("code") ?? "",
        redirect_uri: loopback.redirectUri,
        code_verifier: verifier,
        client_id: registered.client_id,
        resource,
      }),
    });
  const first = await exchange();
  expect(first.status).toBe(200);
  expect(first.headers.get("cache-control")).toContain("no-store");
  const tokens = (await first.json()) as { access_token: string };
  expect((await postInitialize(resource, tokens.access_token, clientFetch)).status).toBe(200);

  const replay = await exchange();
  expect(replay.status).toBe(400);
  expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
  expect((await postInitialize(resource, tokens.access_token, clientFetch)).status).toBe(401);
});

test("a bearer token is read from the Authorization header only, never the query string", async ({
  page,
  baseURL,
}) => {
  await signUpAndSignIn(page.request);
  const instance = await createInstance(page.request, uniqueName("query"));
  const { key } = await callTrpc<{ key: string }>(page.request, "apiKey.create", {
    instanceId: instance.id,
    name: "query-string test",
  });
  const mcpUrl = `${baseURL}/mcp/${instance.id}`;
  const inQuery = await postInitialize(`${mcpUrl}?access_token=${encodeURIComponent(key)}`, "", clientFetch);
  expect(inQuery.status).toBe(401);
  expect(inQuery.headers.get("www-authenticate")).toContain("resource_metadata=");
  expect((await postInitialize(mcpUrl, key, clientFetch)).status).toBe(200);
});
