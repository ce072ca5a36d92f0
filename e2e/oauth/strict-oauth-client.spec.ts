import * as oauth from "oauth4webapi";
import { approveInBrowser, postInitialize, uniqueName } from "../support/oauth-flow";
import { actAsClientAddress, expect, test } from "../support/oauth-test";
import { signUpAndSignIn } from "../support/session";
import { createInstance } from "../support/trpc";

// The same flow driven by oauth4webapi, a strict OAuth 2.1 client used here as a spec checker: it
// refuses metadata whose issuer or resource does not match, an authorization response without the
// right `iss` (RFC 9207) or `state`, token responses that break RFC 6749, and access tokens that are
// not valid RFC 9068 JWTs for the expected audience.

const { fetch: clientFetch } = actAsClientAddress();

// The app under test listens on plain http (localhost); production is https.
const httpOptions = { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: clientFetch } as const;

test("oauth4webapi: discovery, registration, code + PKCE, RFC 9068 token, refresh, revocation", async ({
  page,
  baseURL,
  loopback,
}) => {
  await signUpAndSignIn(page.request);
  const instance = await createInstance(page.request, uniqueName("strict"));
  const resource = new URL(`${baseURL}/mcp/${instance.id}`);

  // RFC 9728: the resource names its authorization server; RFC 8414: the server describes itself.
  const resourceServer = await oauth.processResourceDiscoveryResponse(
    resource,
    await oauth.resourceDiscoveryRequest(resource, httpOptions),
  );
  expect(resourceServer.bearer_methods_supported).toEqual(["header"]);
  expect(resourceServer.scopes_supported).toContain("mcp:access:*");
  const issuer = new URL(resourceServer.authorization_servers?.[0] ?? "");
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, httpOptions));
  expect(as.code_challenge_methods_supported).toEqual(["S256"]);
  expect(as.authorization_response_iss_parameter_supported).toBe(true);
  expect(as.client_id_metadata_document_supported).toBe(true);

  // RFC 7591.
  const registered = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(
      as,
      {
        client_name: "E2E strict client",
        redirect_uris: [loopback.redirectUri],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "none",
      },
      httpOptions,
    ),
  );
  const client: oauth.Client = { client_id: registered.client_id, token_endpoint_auth_method: "none" };
  expect(registered.client_secret).toBeUndefined();

  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorizationUrl = new URL(as.authorization_endpoint ?? "");
  authorizationUrl.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: loopback.redirectUri,
    response_type: "code",
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    scope: "mcp:access:*",
    state,
    resource: resource.href,
  }).toString();

  const callback = await approveInBrowser(page, loopback, authorizationUrl);
  // Checks iss against the issuer and state against ours, and that no error came back.
  const params = oauth.validateAuthResponse(as, client, callback, state);

  const tokens = await oauth.processAuthorizationCodeResponse(
    as,
    client,
    await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      loopback.redirectUri,
      codeVerifier,
      {
        ...httpOptions,
        additionalParameters: { resource: resource.href },
      },
    ),
  );
  expect(tokens.token_type).toBe("bearer");
  expect(tokens.scope).toBe("mcp:access:*");
  expect(tokens.refresh_token).toBeTruthy();

  // RFC 9068, checked as a resource server would: typ at+jwt, signature from the JWKS, iss, aud, exp.
  const claims = await oauth.validateJwtAccessToken(
    as,
    new Request(resource, { headers: { authorization: `Bearer ${tokens.access_token}` } }),
    resource.href,
    httpOptions,
  );
  expect(claims.client_id).toBe(client.client_id);
  expect(claims.scope).toBe("mcp:access:*");
  expect((await postInitialize(resource.href, tokens.access_token, clientFetch)).status).toBe(200);

  const refreshed = await oauth.processRefreshTokenResponse(
    as,
    client,
    await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token ?? "", httpOptions),
  );
  expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
  expect((await postInitialize(resource.href, refreshed.access_token, clientFetch)).status).toBe(200);

  await oauth.processRevocationResponse(
    await oauth.revocationRequest(as, client, oauth.None(), refreshed.refresh_token ?? "", httpOptions),
  );
  expect((await postInitialize(resource.href, refreshed.access_token, clientFetch)).status).toBe(401);
  // The rotated refresh token is dead too.
  const reuse = await oauth.refreshTokenGrantRequest(
    as,
    client,
    oauth.None(),
    refreshed.refresh_token ?? "",
    httpOptions,
  );
  await expect(oauth.processRefreshTokenResponse(as, client, reuse)).rejects.toMatchObject({
    error: "invalid_grant",
  });
});
