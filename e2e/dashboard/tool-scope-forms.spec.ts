import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, type Page, test } from "@playwright/test";
import { demoBackendPublicMcpUrl } from "../support/demo-backend";
import { fetchFrom } from "../support/oauth-flow";
import { signUpAndSignIn } from "../support/session";
import { callTrpc, createInstance } from "../support/trpc";
import { createTestClientIp } from "../support/users";

// Tool scopes given in the dashboard's forms: an API key and a machine-to-machine client limited to one
// tool of the demo backend through "Limit to tools". A malformed entry or a ticked scope that already
// covers the tool is explained at the field and blocks the form; the key and the client's token then
// show a real MCP client only that tool, and a call to another tool of the server is refused.

const clientIp = createTestClientIp();
const clientFetch = fetchFrom(clientIp);

test.use({ extraHTTPHeaders: { "x-forwarded-for": clientIp } });

type TSetup = { instanceName: string; mcpUrl: string; slug: string };

/** A user with the demo backend's public server bundled into a new instance. */
async function setUp(page: Page, baseURL: string | undefined): Promise<TSetup> {
  await signUpAndSignIn(page.request);
  const suffix = Date.now().toString(36);
  const server = await callTrpc<{ connectionId: string; slug: string }>(page.request, "servers.add", {
    url: demoBackendPublicMcpUrl,
    name: `Notes ${suffix}`,
    auth: { type: "none" },
  });
  const instanceName = `Scoped ${suffix}`;
  const instance = await createInstance(page.request, instanceName);
  await callTrpc(page.request, "instance.setConnections", {
    instanceId: instance.id,
    connectionIds: [server.connectionId],
  });
  return { instanceName, mcpUrl: `${baseURL}/mcp/${instance.id}`, slug: server.slug };
}

/** Ticks only what the tools field needs: no scope, and `text` as the tools. */
async function limitToTools(page: Page, setup: TSetup, text: string) {
  await page.getByLabel("Instance", { exact: true }).selectOption({ label: setup.instanceName });
  await page.getByRole("checkbox", { name: /mcp:access:\*/ }).uncheck();
  await page.getByLabel("Limit to tools (optional)").fill(text);
}

/** The tools an SDK client sees with `bearer`, and whether it may call create_note. */
async function whatTheClientMay(setup: TSetup, bearer: string) {
  const client = new Client({ name: "e2e-tool-scope", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(setup.mcpUrl), {
      requestInit: { headers: { authorization: `Bearer ${bearer}` } },
      fetch: clientFetch,
    }),
  );
  try {
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    const create = await client.callTool({ name: "create_note", arguments: { title: "t", body: "b" } }).then(
      () => "ran",
      (error: unknown) => String(error),
    );
    return { tools, create };
  } finally {
    await client.close();
  }
}

test("an API key limited to one tool in the form sees and calls only that tool", async ({
  page,
  baseURL,
}) => {
  const setup = await setUp(page, baseURL);
  await page.goto("/api-keys");
  await page.getByLabel("Key name").fill("List only");
  const create = page.getByRole("button", { name: "Create API key" });

  await limitToTools(page, setup, `${setup.slug}:list notes`);
  await expect(page.getByText("“notes” is not a tool")).toBeVisible();
  await expect(create).toBeDisabled();

  await page.getByRole("checkbox", { name: new RegExp(`^mcp:access:${setup.slug} `) }).check();
  await page.getByLabel("Limit to tools (optional)").fill(`${setup.slug}:list_notes`);
  await expect(
    page.getByText(`mcp:access:${setup.slug} already grants every tool of ${setup.slug}`),
  ).toBeVisible();
  await expect(create).toBeDisabled();

  await page.getByRole("checkbox", { name: new RegExp(`^mcp:access:${setup.slug} `) }).uncheck();
  await expect(create).toBeEnabled();
  await create.click();
  const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^tumiki_/);
  await expect(page.getByRole("row").filter({ hasText: "List only" })).toContainText(
    `mcp:access:${setup.slug}:list_notes`,
  );

  const may = await whatTheClientMay(setup, key);
  expect(may.tools).toEqual(["list_notes"]);
  expect(may.create).toContain("insufficient_scope");
});

test("a machine-to-machine client limited to one tool gets a token with only that tool", async ({
  page,
  request,
  baseURL,
}) => {
  const setup = await setUp(page, baseURL);
  await page.goto("/clients");
  await page.getByLabel("Client name").fill("List bot");
  await limitToTools(page, setup, `mcp:access:${setup.slug}:list_notes`);
  await page.getByRole("button", { name: "Create client" }).click();

  const panel = page.getByRole("region", { name: "New machine-to-machine client" });
  const clientId = (await panel.getByTestId("m2m-client-id").textContent())?.trim() ?? "";
  const clientSecret = (await panel.getByTestId("m2m-client-secret").textContent())?.trim() ?? "";
  const scope = `mcp:access:${setup.slug}:list_notes`;
  await expect(panel.locator("pre")).toContainText(`scope=${scope}`);

  const issued = await request.post(`${baseURL}/oauth/token`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString("base64")}`,
    },
    form: { grant_type: "client_credentials", resource: setup.mcpUrl },
  });
  expect(issued.status()).toBe(200);
  const token = (await issued.json()) as { access_token: string; scope: string };
  expect(token.scope).toBe(scope);

  const may = await whatTheClientMay(setup, token.access_token);
  expect(may.tools).toEqual(["list_notes"]);
  expect(may.create).toContain("insufficient_scope");
});
