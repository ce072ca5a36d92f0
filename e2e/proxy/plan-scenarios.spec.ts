import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, UrlElicitationRequiredError } from "@modelcontextprotocol/sdk/types.js";
import { authorizeSdkClient } from "../support/authorize-sdk-client";
import { demoBackendMcpUrl } from "../support/demo-backend";
import { expireDemoAccessTokens, readDemoStats, revokeDemoGrants } from "../support/demo-backend-control";
import { InMemoryOAuthClientProvider } from "../support/in-memory-oauth-client-provider";
import { listDemoToolsDirectly } from "../support/list-demo-tools-directly";
import { readToolText } from "../support/mcp-tool-text";
import { postInitialize, uniqueName } from "../support/oauth-flow";
import { actAsClientAddress, expect, test } from "../support/oauth-test";
import { postMcpMessage } from "../support/post-mcp-message";
import { signUpAndSignIn } from "../support/session";
import { signInAtDemoBackend } from "../support/sign-in-at-demo-backend";
import { queryTrpc } from "../support/trpc";

// The plan's end-to-end scenarios, in order, as one user lives them: (1) they add the OAuth-protected
// demo backend and connect it in the browser, and bundle it into an instance; (2) an AI client (the MCP
// SDK's own auth() and Streamable HTTP client) gets in with nothing but the instance URL: discovery,
// registration, consent; (3) its MCP requests reach the backend through Tumiki: tools listed and called,
// progress streamed as it happens; (4) the backend's access token dies mid-session and Tumiki refreshes
// it without the client noticing; (5) the user revokes the grant at the backend: the next call answers
// with the re-auth error and its URL, the user reconnects there in the browser, and the call works again.
// One test: each scenario starts from where the one before left the user.

const { fetch: clientFetch } = actAsClientAddress();

type TUserServer = { serverId: string; slug: string; name: string };

test("a user's server reaches an AI client through Tumiki, across a token refresh and a revoked grant", async ({
  page,
  baseURL,
  loopback,
}) => {
  test.setTimeout(180_000);
  await signUpAndSignIn(page.request);
  const serverName = `Notes ${randomBytes(3).toString("hex")}`;
  const instanceName = uniqueName("plan");
  // The name the user signs in with at the demo backend: their account (and notes) there.
  const account = uniqueName("plan-account");
  const noteTitle = `Plan note ${randomBytes(4).toString("hex")}`;

  const { server, mcpUrl } = await test.step("1. a new user adds an MCP server and connects it", async () => {
    await page.goto("/servers");
    await page.getByLabel("Server URL").fill(demoBackendMcpUrl);
    await page.getByLabel("Server name").fill(serverName);
    await page.getByRole("button", { name: "Check server" }).click();
    await signInAtDemoBackend(page, {
      trigger: () => page.getByRole("button", { name: "Add and connect" }).click(),
      account,
    });
    await expect(page.getByRole("status").filter({ hasText: `Connected to ${serverName}` })).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: serverName })).toContainText("Connected");

    await page.goto("/instances");
    await page.getByLabel("Instance name").fill(instanceName);
    await page.getByRole("button", { name: "Create instance" }).click();
    const card = page.getByRole("article", { name: instanceName });
    await card.getByRole("checkbox", { name: serverName }).check();
    const saved = page.waitForResponse((response) =>
      response.url().includes("/api/trpc/instance.setConnections"),
    );
    await card.getByRole("button", { name: "Save servers" }).click();
    const savedResponse = await saved;
    // An OAuth server, connected: the instance must take it (its answer says why when it does not).
    expect(savedResponse.status(), await savedResponse.text()).toBe(200);
    await expect(card.getByRole("button", { name: "Save servers" })).toBeDisabled();
    const shownUrl = (await card.getByTestId("mcp-url").textContent()) ?? "";
    expect(shownUrl.startsWith(`${baseURL}/mcp/`)).toBe(true);

    const servers = await queryTrpc<TUserServer[]>(page.request, "servers.list");
    const added = servers.find((row) => row.name === serverName);
    if (!added) throw new Error(`${serverName} is not among the user's servers`);
    return { server: added, mcpUrl: shownUrl };
  });

  const provider = new InMemoryOAuthClientProvider({
    clientName: "E2E plan client",
    redirectUri: loopback.redirectUri,
  });
  await test.step("2. an AI client authenticates with nothing but the instance URL", async () => {
    const tokens = await authorizeSdkClient({
      page,
      loopback,
      provider,
      mcpUrl,
      fetchFn: clientFetch,
      checkConsentPage: async (consentPage) => {
        await expect(consentPage.getByText(instanceName).first()).toBeVisible();
      },
    });
    // Registered dynamically: nothing about the client was known before the URL.
    expect(provider.clientInformation()?.client_id).toBeTruthy();
    expect(tokens.access_token).toBeTruthy();
  });

  // The client says it can open a URL for the user (URL-mode elicitation), so a backend that needs a
  // new sign-in is answered with -32042 rather than a tool error.
  const client = new Client(
    { name: "e2e-plan-client", version: "1.0.0" },
    { capabilities: { elicitation: { url: {} } } },
  );
  const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), {
    authProvider: provider,
    fetch: clientFetch,
  });

  try {
    await test.step("3. MCP requests are proxied: tools listed and called, progress streamed", async () => {
      await client.connect(transport);
      expect(client.getServerVersion()?.name).toBe("tumiki");
      expect(client.getServerCapabilities()?.tools).toBeDefined();
      expect(transport.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);

      // One bundled server: its tools, in its order, under its own names.
      const direct = await listDemoToolsDirectly();
      const listed = await client.listTools();
      expect(listed.tools.map(({ name, inputSchema }) => ({ name, inputSchema }))).toEqual(
        direct.map(({ name, inputSchema }) => ({ name, inputSchema })),
      );

      const created = await client.callTool({
        name: "create_note",
        arguments: { title: noteTitle, body: "kept at the demo backend" },
      });
      expect(created.isError).toBeFalsy();
      expect(readToolText(created)).toContain(noteTitle);

      const before = await readDemoStats();
      const progress: { progress: number; total?: number; at: number }[] = [];
      const counted = await client.callTool(
        { name: "count_slowly", arguments: { to: 5, delayMs: 200 } },
        undefined,
        {
          onprogress: ({ progress: value, total }) =>
            progress.push({ progress: value, total, at: Date.now() }),
        },
      );
      const resultAt = Date.now();
      expect(readToolText(counted)).toBe("Counted to 5.");
      expect(progress.map(({ progress: value, total }) => ({ value, total }))).toEqual(
        [1, 2, 3, 4, 5].map((value) => ({ value, total: 5 })),
      );
      // As they happen: the backend waits 4 × 200 ms between the first progress and the result, so a
      // proxy that buffered the stream would deliver them together.
      expect(resultAt - (progress[0]?.at ?? resultAt)).toBeGreaterThanOrEqual(400);
      const after = await readDemoStats();
      expect(after.mcp.toolCalls.count_slowly?.completed ?? 0).toBeGreaterThan(
        before.mcp.toolCalls.count_slowly?.completed ?? 0,
      );
    });

    await test.step("4. a backend token is refreshed automatically mid-use", async () => {
      const sessionId = transport.sessionId;
      const before = await readDemoStats();
      // Only the access token Tumiki holds dies; its refresh token still works.
      expect(await expireDemoAccessTokens(account)).toBeGreaterThan(0);

      const found = await client.callTool({ name: "search_notes", arguments: { query: noteTitle } });
      expect(found.isError).toBeFalsy();
      expect(readToolText(found)).toContain(noteTitle);
      expect(transport.sessionId).toBe(sessionId);
      const after = await readDemoStats();
      expect(after.tokenRequests.refresh_token ?? 0).toBeGreaterThan(before.tokenRequests.refresh_token ?? 0);
    });

    await test.step("5. a grant revoked at the backend: re-auth error with its URL, reconnect, works again", async () => {
      expect(await revokeDemoGrants(account)).toBeGreaterThan(0);
      const reconnectUrl = `${baseURL}/servers?reconnect=${server.serverId}`;

      const refused = await client.callTool({ name: "search_notes", arguments: { query: noteTitle } }).then(
        () => undefined,
        (error: unknown) => error,
      );
      // SDK 1.32 turns -32042 into UrlElicitationRequiredError, keeping only data.elicitations.
      expect(refused).toBeInstanceOf(UrlElicitationRequiredError);
      const elicitationError = refused as UrlElicitationRequiredError;
      expect(elicitationError.code).toBe(ErrorCode.UrlElicitationRequired);
      expect(elicitationError.elicitations).toHaveLength(1);
      expect(elicitationError.elicitations[0]).toMatchObject({ mode: "url", url: reconnectUrl });
      expect(elicitationError.elicitations[0]?.elicitationId).toBeTruthy();
      expect(elicitationError.elicitations[0]?.message).toBeTruthy();

      // The whole error, as the same session gets it over the wire: never an HTTP 401.
      const accessToken = provider.tokens()?.access_token ?? "";
      const raw = await postMcpMessage({
        url: mcpUrl,
        bearer: accessToken,
        sessionId: transport.sessionId,
        message: {
          jsonrpc: "2.0",
          id: "raw-call",
          method: "tools/call",
          params: { name: "list_notes", arguments: {} },
        },
        fetchFn: clientFetch,
      });
      expect(raw.status).toBe(200);
      const rawAnswer = raw.messages.find((message) => message.id === "raw-call");
      expect(rawAnswer?.error?.code).toBe(-32042);
      expect(rawAnswer?.error?.data).toMatchObject({
        error: "re_auth_required",
        reconnectUrl,
        server: { id: server.serverId, slug: server.slug, name: serverName },
        elicitations: [{ mode: "url", url: reconnectUrl }],
      });

      // A client that cannot open URLs gets the same news as a tool error it can show its user.
      const plain = await postInitialize(mcpUrl, accessToken, clientFetch);
      expect(plain.status).toBe(200);
      const plainSessionId = plain.headers.get("mcp-session-id") ?? "";
      expect(plainSessionId).not.toBe("");
      const initialized = await postMcpMessage({
        url: mcpUrl,
        bearer: accessToken,
        sessionId: plainSessionId,
        message: { jsonrpc: "2.0", method: "notifications/initialized" },
        fetchFn: clientFetch,
      });
      expect(initialized.status).toBe(202);
      const plainCall = await postMcpMessage({
        url: mcpUrl,
        bearer: accessToken,
        sessionId: plainSessionId,
        message: {
          jsonrpc: "2.0",
          id: 7,
          method: "tools/call",
          params: { name: "list_notes", arguments: {} },
        },
        fetchFn: clientFetch,
      });
      expect(plainCall.status).toBe(200);
      const plainResult = plainCall.messages.find((message) => message.id === 7)?.result;
      expect(plainResult).toMatchObject({
        isError: true,
        _meta: {
          "tumiki/error": {
            error: "re_auth_required",
            reconnectUrl,
            server: { id: server.serverId, slug: server.slug, name: serverName },
          },
        },
      });
      expect(readToolText(plainResult)).toContain(reconnectUrl);

      // The user follows the URL: the server is marked, its Reconnect button has the focus.
      await page.goto(reconnectUrl);
      const row = page.getByRole("row").filter({ hasText: serverName });
      await expect(row).toContainText("Needs re-auth");
      await expect(
        page.getByRole("status").filter({ hasText: `sign in to ${serverName} again` }),
      ).toBeVisible();
      const reconnect = page.getByRole("button", { name: `Reconnect ${serverName}`, exact: true });
      await expect(reconnect).toBeFocused();
      await signInAtDemoBackend(page, { trigger: () => reconnect.click(), account });
      await expect(page.getByRole("status").filter({ hasText: `Connected to ${serverName}` })).toBeVisible();
      await expect(row).toContainText("Connected");

      // The same call, from the same client, works again, on the same account's notes.
      const again = await client.callTool({ name: "search_notes", arguments: { query: noteTitle } });
      expect(again.isError).toBeFalsy();
      expect(readToolText(again)).toContain(noteTitle);
    });

    // The client ends its session (DELETE): Tumiki forgets it.
    await transport.terminateSession();
  } finally {
    await client.close();
  }
});
