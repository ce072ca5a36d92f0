import {
  auth,
  discoverAuthorizationServerMetadata,
  type OAuthClientProvider,
  refreshAuthorization,
} from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InvalidGrantError } from "@modelcontextprotocol/sdk/server/auth/errors.js";
import type { AuthorizationServerMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InMemoryOAuthClientProvider } from "../../e2e/support/in-memory-oauth-client-provider";
import { postMcpInitialize } from "../../server/testing/post-mcp-initialize";
import { type TDemoStats, ZDemoStats } from "./demo-stats";
import { generateDemoText } from "./generate-demo-text";
import { startDemoBackend, type TDemoBackend } from "./start-demo-backend";

// The demo backend driven by real clients over real HTTP: the MCP SDK's client auth (discovery from the
// 401, DCR, PKCE, token exchange, refresh) and its Streamable HTTP client, plus raw requests where the
// exact answer matters (challenges, the sign-in page, rotation and revocation at the AS).

const REDIRECT_URI = "http://localhost:3000/oauth/callback";

function tokensOf(provider: InMemoryOAuthClientProvider): OAuthTokens {
  const tokens = provider.tokens();
  if (!tokens) throw new Error("no tokens saved");
  return tokens;
}

function clientIdOf(provider: InMemoryOAuthClientProvider): string {
  const information = provider.clientInformation();
  if (!information) throw new Error("no client registered");
  return information.client_id;
}

type TBrowser = ReturnType<typeof createBrowser>;

/** A cookie-keeping user agent that follows same-origin redirects, as a browser does. */
function createBrowser() {
  const jar = new Map<string, string>();
  const request = async (url: URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const setCookie of response.headers.getSetCookie()) {
      const [pair = ""] = setCookie.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  return {
    /** Follows redirects until a page (returned) or a redirect to another origin (its URL). */
    async navigate(start: URL, init: RequestInit = {}): Promise<{ url: URL; page?: string }> {
      let url = start;
      let response = await request(url, init);
      for (let hop = 0; hop < 10; hop += 1) {
        const location = response.headers.get("location");
        if (!location) return { url, page: await response.text() };
        const next = new URL(location, url);
        if (next.origin !== start.origin) return { url: next };
        url = next;
        response = await request(url);
      }
      throw new Error("too many redirects");
    },
  };
}

/** Runs the SDK's authorization against the backend; `approve` turns the authorization URL into the callback URL. */
async function authorizeWithSdk(
  backend: TDemoBackend,
  approve: (authorizationUrl: URL) => Promise<URL>,
): Promise<InMemoryOAuthClientProvider> {
  const provider = new InMemoryOAuthClientProvider({
    clientName: "Demo backend test",
    redirectUri: REDIRECT_URI,
  });
  expect(await auth(provider, { serverUrl: backend.mcpUrl })).toBe("REDIRECT");
  if (!provider.authorizationUrl) throw new Error("no authorization URL");
  const callback = await approve(provider.authorizationUrl);
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
  expect(callback.searchParams.get("state")).toBe(provider.lastState);
  expect(callback.searchParams.get("iss")).toBe(backend.issuer);
  const code = callback.searchParams.get("code");
  if (!code) throw new Error(`no code in the callback: ${callback.search}`);
  expect(await auth(provider, { serverUrl: backend.mcpUrl, authorizationCode: code })).toBe("AUTHORIZED");
  return provider;
}

/** Signs in on the AS's page as `account` and allows; turns the authorization URL into the callback URL. */
const signInAs = (browser: TBrowser, account: string) => async (authorizationUrl: URL) => {
  const { url, page } = await browser.navigate(authorizationUrl);
  expect(url.pathname).toMatch(/^\/interaction\//);
  expect(page).toContain('<label for="account">Account name</label>');
  expect(page).toContain('name="account"');
  expect(page).toContain(">Allow</button>");
  expect(page).toContain(">Deny</button>");
  const done = await browser.navigate(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ account, action: "allow" }),
  });
  return done.url;
};

async function fetchStats(backend: TDemoBackend): Promise<TDemoStats> {
  const response = await fetch(`${backend.origin}/__demo/stats`);
  expect(response.status).toBe(200);
  return ZDemoStats.parse(await response.json());
}

/** Polls the stats served over HTTP until `check` holds (the backend counts as requests end). */
async function waitForStats(
  backend: TDemoBackend,
  check: (stats: TDemoStats) => boolean,
): Promise<TDemoStats> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const stats = await fetchStats(backend);
    if (check(stats)) return stats;
    if (Date.now() > deadline) throw new Error(`stats never matched: ${JSON.stringify(stats.mcp)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function postControl(backend: TDemoBackend, path: string, body: unknown, method = "POST") {
  return fetch(`${backend.origin}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: method === "POST" ? JSON.stringify(body) : undefined,
  });
}

async function followAutoApproval(authorizationUrl: URL): Promise<URL> {
  const response = await fetch(authorizationUrl, { redirect: "manual" });
  expect(response.status).toBe(303);
  return new URL(response.headers.get("location") ?? "");
}

async function connectClient(backend: TDemoBackend, provider: OAuthClientProvider): Promise<Client> {
  const client = new Client({ name: "demo-backend-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(backend.mcpUrl), { authProvider: provider }),
  );
  return client;
}

function postInitialize(mcpUrl: string, accessToken?: string, sessionId?: string): Promise<Response> {
  return postMcpInitialize({ url: mcpUrl, accessToken, sessionId });
}

function textOf(result: Awaited<ReturnType<Client["callTool"]>>): string {
  const [first] = result.content as { type: string; text?: string }[];
  return first?.text ?? "";
}

async function refreshWith(
  backend: TDemoBackend,
  provider: InMemoryOAuthClientProvider,
  refreshToken: string,
) {
  const metadata = (await discoverAuthorizationServerMetadata(backend.issuer)) as AuthorizationServerMetadata;
  const clientInformation = provider.clientInformation();
  if (!clientInformation) throw new Error("no client registered");
  return refreshAuthorization(backend.issuer, {
    metadata,
    clientInformation,
    refreshToken,
    resource: new URL(backend.mcpUrl),
  });
}

describe("demo backend with autoApproveAccount", () => {
  let backend: TDemoBackend;

  beforeAll(async () => {
    backend = await startDemoBackend({ port: 0, autoApproveAccount: "alice" });
  });
  afterAll(async () => {
    await backend.close();
  });

  it("challenges requests without a valid token with the RFC 9728 metadata URL and the scopes", async () => {
    const none = await postInitialize(backend.mcpUrl);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe(
      `Bearer resource_metadata="${backend.resourceMetadataUrl}", scope="notes:read notes:write"`,
    );

    const bogus = await postInitialize(backend.mcpUrl, "not-a-token");
    expect(bogus.status).toBe(401);
    expect(bogus.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(bogus.headers.get("www-authenticate")).toContain(
      `resource_metadata="${backend.resourceMetadataUrl}"`,
    );

    const metadata = await (await fetch(backend.resourceMetadataUrl)).json();
    expect(metadata).toEqual({
      resource: backend.mcpUrl,
      authorization_servers: [backend.issuer],
      scopes_supported: ["notes:read", "notes:write"],
      bearer_methods_supported: ["header"],
      resource_name: "Demo Notes",
    });
  });

  it("serves the same notes tools without authentication at /public/mcp, apart from the protected ones", async () => {
    const client = new Client({ name: "public-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(backend.publicMcpUrl)));
    await client.callTool({ name: "create_note", arguments: { title: "Public", body: "for everyone" } });
    const all = JSON.parse(textOf(await client.callTool({ name: "list_notes", arguments: {} })));
    expect(all.map((n: { title: string }) => n.title)).toEqual(["Public"]);
    await client.close();

    // The protected endpoint still refuses the same request without a token.
    expect((await postInitialize(backend.mcpUrl)).status).toBe(401);
  });

  it("publishes AS metadata with PKCE S256 only, DCR, revocation and the iss parameter", async () => {
    const metadata = await (await fetch(`${backend.issuer}/.well-known/openid-configuration`)).json();
    expect(metadata.issuer).toBe(backend.issuer);
    expect(metadata.code_challenge_methods_supported).toEqual(["S256"]);
    expect(metadata.registration_endpoint).toBe(`${backend.origin}/reg`);
    expect(metadata.revocation_endpoint).toBe(`${backend.origin}/token/revocation`);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.grant_types_supported).toContain("refresh_token");
  });

  it("lets an SDK client discover, register, authorize with PKCE and use the notes tools", async () => {
    const registrationsBefore = backend.stats.registrations;
    const codesBefore = backend.stats.tokenRequests.authorization_code ?? 0;
    const provider = await authorizeWithSdk(backend, followAutoApproval);
    const tokens = tokensOf(provider);
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope).toBe("notes:read notes:write");
    expect(tokens.expires_in).toBe(3600);
    expect(backend.stats.registrations).toBe(registrationsBefore + 1);
    expect(backend.stats.tokenRequests.authorization_code).toBe(codesBefore + 1);

    const client = await connectClient(backend, provider);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      "count_slowly",
      "create_note",
      "delete_note",
      "generate_text",
      "list_notes",
      "search_notes",
    ]);

    await client.callTool({
      name: "create_note",
      arguments: { title: "Groceries", body: "oat milk, apples" },
    });
    await client.callTool({ name: "create_note", arguments: { title: "Ideas", body: "a gateway for MCP" } });
    const found = JSON.parse(
      textOf(await client.callTool({ name: "search_notes", arguments: { query: "APPLES" } })),
    );
    expect(found.map((n: { title: string }) => n.title)).toEqual(["Groceries"]);
    const all = JSON.parse(textOf(await client.callTool({ name: "list_notes", arguments: {} })));
    expect(all.map((n: { title: string }) => n.title)).toEqual(["Groceries", "Ideas"]);

    const events: string[] = [];
    const counted = client
      .callTool({ name: "count_slowly", arguments: { to: 3, delayMs: 20 } }, undefined, {
        onprogress: (progress) => events.push(`progress ${progress.progress}/${progress.total}`),
      })
      .then((result) => events.push(`result ${textOf(result)}`));
    await counted;
    expect(events).toEqual(["progress 1/3", "progress 2/3", "progress 3/3", "result Counted to 3."]);

    await client.close();
  });

  it("rotates the refresh token on every refresh; a rotated one fails with invalid_grant and revokes the grant", async () => {
    const provider = await authorizeWithSdk(backend, followAutoApproval);
    const refreshesBefore = backend.stats.tokenRequests.refresh_token ?? 0;
    const first = tokensOf(provider);

    // With a refresh token saved, the SDK's auth() refreshes.
    expect(await auth(provider, { serverUrl: backend.mcpUrl })).toBe("AUTHORIZED");
    const second = tokensOf(provider);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await postInitialize(backend.mcpUrl, second.access_token)).status).toBe(200);

    await expect(refreshWith(backend, provider, first.refresh_token ?? "")).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
    expect(backend.stats.tokenRequests.refresh_token).toBe(refreshesBefore + 2);

    // Reuse of a rotated token is taken as theft: the whole grant is gone (oidc-provider's behaviour).
    expect((await postInitialize(backend.mcpUrl, second.access_token)).status).toBe(401);
    await expect(refreshWith(backend, provider, second.refresh_token ?? "")).rejects.toBeInstanceOf(
      InvalidGrantError,
    );

    const stats = await (await fetch(`${backend.origin}/__demo/stats`)).json();
    expect(stats).toEqual(backend.stats);
    expect(stats.tokenRequests.refresh_token).toBe(refreshesBefore + 3);
  });

  it("revokes access and refresh tokens at the RFC 7009 endpoint", async () => {
    const provider = await authorizeWithSdk(backend, followAutoApproval);
    const tokens = tokensOf(provider);
    const revocationsBefore = backend.stats.revocations;
    const revoke = (token: string) =>
      fetch(`${backend.origin}/token/revocation`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token, client_id: clientIdOf(provider) }),
      });

    expect((await postInitialize(backend.mcpUrl, tokens.access_token)).status).toBe(200);
    expect((await revoke(tokens.access_token)).status).toBe(200);
    expect((await postInitialize(backend.mcpUrl, tokens.access_token)).status).toBe(401);

    expect((await revoke(tokens.refresh_token ?? "")).status).toBe(200);
    await expect(refreshWith(backend, provider, tokens.refresh_token ?? "")).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
    expect(backend.stats.revocations).toBe(revocationsBefore + 2);
  });

  it("revokeGrantsOf ends an account's tokens: /mcp answers 401 and the refresh fails with invalid_grant", async () => {
    const provider = await authorizeWithSdk(backend, followAutoApproval);
    const tokens = tokensOf(provider);
    expect((await postInitialize(backend.mcpUrl, tokens.access_token)).status).toBe(200);

    await backend.revokeGrantsOf("alice");

    expect((await postInitialize(backend.mcpUrl, tokens.access_token)).status).toBe(401);
    await expect(refreshWith(backend, provider, tokens.refresh_token ?? "")).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
  });

  it("answers an unknown session id with 404, and refuses other resources and requests without PKCE", async () => {
    const provider = await authorizeWithSdk(backend, followAutoApproval);
    const unknownSession = await postInitialize(
      backend.mcpUrl,
      tokensOf(provider).access_token,
      "no-such-session",
    );
    expect(unknownSession.status).toBe(404);

    const authorizationUrl = provider.authorizationUrl ?? new URL(backend.origin);
    const otherResource = new URL(authorizationUrl);
    otherResource.searchParams.set("resource", "http://localhost:1/other");
    const refused = await followAutoApproval(otherResource);
    expect(refused.searchParams.get("error")).toBe("invalid_target");

    const withoutPkce = new URL(authorizationUrl);
    withoutPkce.searchParams.delete("code_challenge");
    withoutPkce.searchParams.delete("code_challenge_method");
    const noPkce = await followAutoApproval(withoutPkce);
    expect(noPkce.searchParams.get("error")).toBe("invalid_request");
    expect(noPkce.searchParams.get("code")).toBeNull();
  });
});

describe("demo backend sign-in page", () => {
  let backend: TDemoBackend;

  beforeAll(async () => {
    backend = await startDemoBackend({ port: 0, accessTokenTtlSeconds: 1 });
  });
  afterAll(async () => {
    await backend.close();
  });

  // One browser for every sign-in below: each authorization still asks for the account.
  const browser = createBrowser();

  it("keeps each account's notes apart and binds sessions to their account", async () => {
    const bob = await connectClient(backend, await authorizeWithSdk(backend, signInAs(browser, "bob")));
    const carolProvider = await authorizeWithSdk(backend, signInAs(browser, "carol"));
    const carol = await connectClient(backend, carolProvider);

    await bob.callTool({ name: "create_note", arguments: { title: "Bob's", body: "secret plans" } });
    await carol.callTool({ name: "create_note", arguments: { title: "Carol's", body: "other plans" } });
    const titles = async (client: Client) =>
      JSON.parse(textOf(await client.callTool({ name: "list_notes", arguments: {} }))).map(
        (n: { title: string }) => n.title,
      );
    expect(await titles(bob)).toEqual(["Bob's"]);
    expect(await titles(carol)).toEqual(["Carol's"]);
    const search = await carol.callTool({ name: "search_notes", arguments: { query: "secret" } });
    expect(JSON.parse(textOf(search))).toEqual([]);

    const bobSession = (bob.transport as StreamableHTTPClientTransport).sessionId;
    expect(bobSession).toBeTruthy();
    const hijack = await postInitialize(backend.mcpUrl, tokensOf(carolProvider).access_token, bobSession);
    expect(hijack.status).toBe(404);

    await bob.close();
    await carol.close();
  });

  it("sends access_denied back to the client when the user clicks Deny", async () => {
    const provider = new InMemoryOAuthClientProvider({
      clientName: "Demo backend test",
      redirectUri: REDIRECT_URI,
    });
    expect(await auth(provider, { serverUrl: backend.mcpUrl })).toBe("REDIRECT");
    const { url } = await browser.navigate(provider.authorizationUrl ?? new URL(backend.origin));
    const denied = await browser.navigate(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ account: "", action: "deny" }),
    });
    expect(`${denied.url.origin}${denied.url.pathname}`).toBe(REDIRECT_URI);
    expect(denied.url.searchParams.get("error")).toBe("access_denied");
    expect(denied.url.searchParams.get("state")).toBe(provider.lastState);
    expect(denied.url.searchParams.get("iss")).toBe(backend.issuer);

    const answeredAgain = await browser.navigate(url);
    expect(answeredAgain.page).toContain("expired or was already answered");
  });

  it("lets access tokens expire after accessTokenTtlSeconds", async () => {
    const provider = await authorizeWithSdk(backend, signInAs(browser, "dave"));
    const tokens = tokensOf(provider);
    expect(tokens.expires_in).toBe(1);
    expect((await postInitialize(backend.mcpUrl, tokens.access_token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const expired = await postInitialize(backend.mcpUrl, tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });
});

describe("demo backend tool stats and generated text", () => {
  let backend: TDemoBackend;
  let client: Client;

  beforeAll(async () => {
    backend = await startDemoBackend({ port: 0 });
    client = new Client({ name: "stats-test", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(backend.publicMcpUrl)));
  });
  afterAll(async () => {
    await client.close();
    await backend.close();
  });

  const countsOf = (stats: TDemoStats, tool: string) =>
    stats.mcp.toolCalls[tool] ?? { started: 0, completed: 0, aborted: 0 };

  it("counts started and completed calls per tool and serves them at /__demo/stats", async () => {
    const before = await fetchStats(backend);
    expect(before.mcp).toEqual({ toolCalls: {}, cancellations: 0 });

    await client.callTool({ name: "list_notes", arguments: {} });
    const progress: number[] = [];
    const result = await client.callTool(
      { name: "count_slowly", arguments: { to: 2, delayMs: 10 } },
      undefined,
      {
        onprogress: (p) => progress.push(p.progress),
      },
    );
    expect(textOf(result)).toBe("Counted to 2.");
    expect(progress).toEqual([1, 2]);

    const stats = await fetchStats(backend);
    expect(stats.mcp).toEqual({
      toolCalls: {
        list_notes: { started: 1, completed: 1, aborted: 0 },
        count_slowly: { started: 1, completed: 1, aborted: 0 },
      },
      cancellations: 0,
    });
    expect(stats).toEqual(backend.stats);
  });

  it("counts a cancelled count_slowly as aborted, and the notifications/cancelled that stopped it", async () => {
    const before = await fetchStats(backend);
    const controller = new AbortController();
    const call = client.callTool({ name: "count_slowly", arguments: { to: 20, delayMs: 200 } }, undefined, {
      signal: controller.signal,
      onprogress: () => controller.abort("enough"),
    });
    await expect(call).rejects.toThrow();

    const after = await waitForStats(
      backend,
      (stats) => countsOf(stats, "count_slowly").aborted === countsOf(before, "count_slowly").aborted + 1,
    );
    expect(after.mcp.cancellations).toBe(before.mcp.cancellations + 1);
    expect(countsOf(after, "count_slowly")).toEqual({
      ...countsOf(before, "count_slowly"),
      started: countsOf(before, "count_slowly").started + 1,
      aborted: countsOf(before, "count_slowly").aborted + 1,
    });
  });

  it("counts a call whose session is deleted mid-call as aborted, without a cancellation", async () => {
    const ending = new Client({ name: "ending-session", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(backend.publicMcpUrl));
    await ending.connect(transport);
    const before = await fetchStats(backend);
    let firstProgress: () => void = () => {};
    const progressed = new Promise<void>((resolve) => {
      firstProgress = resolve;
    });
    const call = ending
      .callTool({ name: "count_slowly", arguments: { to: 20, delayMs: 200 } }, undefined, {
        onprogress: () => firstProgress(),
      })
      .catch((error: unknown) => error);
    await progressed;
    await transport.terminateSession();

    const after = await waitForStats(
      backend,
      (stats) => countsOf(stats, "count_slowly").aborted === countsOf(before, "count_slowly").aborted + 1,
    );
    expect(after.mcp.cancellations).toBe(before.mcp.cancellations);
    expect(countsOf(after, "count_slowly").completed).toBe(countsOf(before, "count_slowly").completed);
    await ending.close();
    expect(await call).toBeInstanceOf(Error);
  });

  it("generate_text returns one text of exactly the asked number of bytes, up to 2 000 000", async () => {
    const big = await client.callTool({ name: "generate_text", arguments: { bytes: 1_500_000 } });
    expect(big.content).toHaveLength(1);
    const text = textOf(big);
    expect(Buffer.byteLength(text, "utf8")).toBe(1_500_000);
    expect(text).toBe(generateDemoText({ bytes: 1_500_000 }));
    expect(text.slice(0, 12)).toBe("00000000 abc");

    expect(textOf(await client.callTool({ name: "generate_text", arguments: { bytes: 0 } }))).toBe("");
    const tooBig = await client.callTool({ name: "generate_text", arguments: { bytes: 2_000_001 } });
    expect(tooBig.isError).toBe(true);
  });

  it("generateDemoText numbers its lines, so a spliced text differs", () => {
    for (const bytes of [1, 63, 64, 65, 1000, 4097]) expect(generateDemoText({ bytes })).toHaveLength(bytes);
    const text = generateDemoText({ bytes: 64 * 3 });
    expect(text.split("\n").map((line) => line.slice(0, 8))).toEqual([
      "00000000",
      "00000001",
      "00000002",
      "",
    ]);
  });
});

describe("demo backend development endpoints", () => {
  let backend: TDemoBackend;
  const browser = createBrowser();

  beforeAll(async () => {
    backend = await startDemoBackend({ port: 0 });
  });
  afterAll(async () => {
    await backend.close();
  });

  const signIn = async (account: string) => {
    const provider = await authorizeWithSdk(backend, signInAs(browser, account));
    const tokens = tokensOf(provider);
    expect((await postInitialize(backend.mcpUrl, tokens.access_token)).status).toBe(200);
    return { provider, tokens };
  };

  it("POST /__demo/revoke-grants ends one account's access and refresh tokens, no one else's", async () => {
    const erin = await signIn("erin");
    const frank = await signIn("frank");

    const response = await postControl(backend, "/__demo/revoke-grants", { account: "erin" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ account: "erin", revokedGrants: 1 });

    expect((await postInitialize(backend.mcpUrl, erin.tokens.access_token)).status).toBe(401);
    await expect(refreshWith(backend, erin.provider, erin.tokens.refresh_token ?? "")).rejects.toBeInstanceOf(
      InvalidGrantError,
    );
    expect((await postInitialize(backend.mcpUrl, frank.tokens.access_token)).status).toBe(200);
    const refreshed = await refreshWith(backend, frank.provider, frank.tokens.refresh_token ?? "");
    expect(refreshed.access_token).toBeTruthy();
  });

  it("POST /__demo/expire-access-tokens ends one account's access tokens; its refresh token still works", async () => {
    const gina = await signIn("gina");
    const hank = await signIn("hank");

    const response = await postControl(backend, "/__demo/expire-access-tokens", { account: "gina" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ account: "gina", expiredAccessTokens: 1 });

    const expired = await postInitialize(backend.mcpUrl, gina.tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get("www-authenticate")).toContain('error="invalid_token"');
    const refreshed = await refreshWith(backend, gina.provider, gina.tokens.refresh_token ?? "");
    expect(refreshed.access_token).not.toBe(gina.tokens.access_token);
    expect((await postInitialize(backend.mcpUrl, refreshed.access_token)).status).toBe(200);
    expect((await postInitialize(backend.mcpUrl, hank.tokens.access_token)).status).toBe(200);
  });

  it("expireAccessTokensOf does the same in process", async () => {
    const ivy = await signIn("ivy");
    await backend.expireAccessTokensOf("ivy");
    expect((await postInitialize(backend.mcpUrl, ivy.tokens.access_token)).status).toBe(401);
    const refreshed = await refreshWith(backend, ivy.provider, ivy.tokens.refresh_token ?? "");
    expect((await postInitialize(backend.mcpUrl, refreshed.access_token)).status).toBe(200);
  });

  it("answers malformed control requests with 400 and other methods with 405", async () => {
    for (const path of ["/__demo/revoke-grants", "/__demo/expire-access-tokens"]) {
      expect((await postControl(backend, path, {})).status).toBe(400);
      expect((await postControl(backend, path, { account: "" })).status).toBe(400);
      const notJson = await fetch(`${backend.origin}${path}`, { method: "POST", body: "account=erin" });
      expect(notJson.status).toBe(400);
      const get = await postControl(backend, path, undefined, "GET");
      expect(get.status).toBe(405);
      expect(get.headers.get("allow")).toBe("POST");
    }
    // Nothing above revoked anything: a fresh sign-in keeps working.
    const jo = await signIn("jo");
    expect((await postInitialize(backend.mcpUrl, jo.tokens.access_token)).status).toBe(200);
  });
});
