import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryOAuthClientProvider } from "../support/in-memory-oauth-client-provider";
import { approveInBrowser, postInitialize, uniqueName } from "../support/oauth-flow";
import { actAsClientAddress, expect, test } from "../support/oauth-test";
import { signUpAndSignIn } from "../support/session";

// The user's side of tier 1, in the browser: create an instance, copy its URL into an AI client, approve
// the client, see it on the AI clients page, and cut it off there.

const { fetch: clientFetch } = actAsClientAddress();
test.use({ permissions: ["clipboard-read", "clipboard-write"] });

test("a user connects an AI client to a new instance, then revokes it on the AI clients page", async ({
  page,
  baseURL,
  loopback,
}) => {
  await signUpAndSignIn(page.request);
  const instanceName = uniqueName("desk");

  await page.goto("/instances");
  await page.getByLabel("Instance name").fill(instanceName);
  await page.getByRole("button", { name: "Create instance" }).click();
  const card = page.getByRole("article").filter({ hasText: instanceName });
  await expect(card).toBeVisible();
  await card.getByRole("button", { name: "Copy URL" }).click();
  const mcpUrl = await page.evaluate(() => navigator.clipboard.readText());
  expect(mcpUrl).toMatch(new RegExp(`^${baseURL}/mcp/[0-9a-f-]{36}$`));
  await expect(card.getByTestId("mcp-url")).toHaveText(mcpUrl);

  const clientName = uniqueName("Desk client");
  const provider = new InMemoryOAuthClientProvider({ clientName, redirectUri: loopback.redirectUri });
  expect(await auth(provider, { serverUrl: mcpUrl, fetchFn: clientFetch })).toBe("REDIRECT");
  const callback = await approveInBrowser(
    page,
    loopback,
    provider.authorizationUrl ?? "",
    async (consent) => {
      await expect(consent.getByRole("heading", { name: `Authorize ${clientName}` })).toBeVisible();
      await expect(consent.getByText("registered dynamically")).toBeVisible();
      await expect(consent.getByText(instanceName, { exact: true })).toBeVisible();
    },
  );
  const code = callback.searchParams.get("code") ?? "";
  expect(await auth(provider, { serverUrl: mcpUrl, authorizationCode: code, fetchFn: clientFetch })).toBe(
    "AUTHORIZED",
  );

  const client = new Client({ name: "e2e-desk", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: clientFetch }),
  );
  expect((await client.listTools()).tools).toEqual([]);
  await client.close();

  await page.goto("/clients");
  const row = page.getByRole("row").filter({ hasText: clientName });
  await expect(row).toContainText(instanceName);
  await expect(row).toContainText("mcp:access:*");
  await row.getByRole("button", { name: `Revoke ${clientName}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke access" }).click();
  await expect(page.getByRole("row").filter({ hasText: clientName })).toHaveCount(0);

  const refused = await postInitialize(mcpUrl, provider.tokens()?.access_token ?? "", clientFetch);
  expect(refused.status).toBe(401);
  // The refresh token died with the grant: the client has to ask the user again.
  expect(await auth(provider, { serverUrl: mcpUrl, fetchFn: clientFetch })).toBe("REDIRECT");
});
