import { type APIRequestContext, expect, test } from "@playwright/test";
import { fetchFrom, postInitialize } from "../support/oauth-flow";
import { signUpAndSignIn } from "../support/session";
import { createTestClientIp } from "../support/users";

// A machine-to-machine client made on the AI clients page: its credentials are shown once, the curl
// example shown with them is replayed as it stands (Basic auth, client_credentials, resource, scope) to
// get a token, the token opens the instance, and deleting the client in the page stops both.

const clientIp = createTestClientIp();
test.use({ extraHTTPHeaders: { "x-forwarded-for": clientIp } });
const clientFetch = fetchFrom(clientIp);

type TCurlExample = { url: string; user: string; form: Record<string, string> };

/** The parts of the page's curl example: its URL, -u credentials, and -d / --data-urlencode fields. */
function parseCurlExample(text: string): TCurlExample {
  const url = /^curl -X POST (\S+) \\$/m.exec(text)?.[1] ?? "";
  const user = /^ {2}-u '([^']+)' \\$/m.exec(text)?.[1] ?? "";
  const form: Record<string, string> = {};
  for (const [, , field = ""] of text.matchAll(/^ {2}(-d|--data-urlencode) '?([^'\\]+?)'?(?: \\)?$/gm)) {
    const separator = field.indexOf("=");
    form[field.slice(0, separator)] = field.slice(separator + 1);
  }
  return { url, user, form };
}

/** The request curl sends for the example: -u is plain Basic, fields form-encoded. */
async function replayCurl(request: APIRequestContext, example: TCurlExample) {
  return request.post(example.url, {
    headers: { authorization: `Basic ${Buffer.from(example.user).toString("base64")}` },
    form: example.form,
  });
}

test("an M2M client's shown curl example gets a working token, and deleting the client stops it", async ({
  page,
  request,
  baseURL,
}) => {
  await signUpAndSignIn(page.request);
  const suffix = Date.now().toString(36);
  const instanceName = `Batch ${suffix}`;
  const clientName = `Nightly ${suffix}`;

  await page.goto("/instances");
  await page.getByLabel("Instance name").fill(instanceName);
  await page.getByRole("button", { name: "Create instance" }).click();
  const mcpUrl =
    (await page.getByRole("article", { name: instanceName }).getByTestId("mcp-url").textContent()) ?? "";
  expect(mcpUrl).toMatch(new RegExp(`^${baseURL}/mcp/[0-9a-f-]{36}$`));

  await page.goto("/clients");
  await page.getByLabel("Client name").fill(clientName);
  await page.getByLabel("Instance", { exact: true }).selectOption({ label: instanceName });
  await expect(page.getByRole("checkbox", { name: /mcp:access:\*/ })).toBeChecked();
  await page.getByRole("button", { name: "Create client" }).click();

  const panel = page.getByRole("region", { name: "New machine-to-machine client" });
  await expect(panel.getByRole("heading", { name: `Credentials of “${clientName}”` })).toBeFocused();
  const clientId = (await panel.getByTestId("m2m-client-id").textContent())?.trim() ?? "";
  const clientSecret = (await panel.getByTestId("m2m-client-secret").textContent())?.trim() ?? "";
  expect(clientSecret).toMatch(/^tmk_cs_\S+$/);
  await expect(panel).toContainText(`${baseURL}/oauth/token`);

  const example = parseCurlExample((await panel.locator("pre").textContent()) ?? "");
  expect(example).toEqual({
    url: `${baseURL}/oauth/token`,
    user: `${clientId}:${clientSecret}`,
    form: { grant_type: "client_credentials", resource: mcpUrl, scope: "mcp:access:*" },
  });

  const issued = await replayCurl(request, example);
  expect(issued.status()).toBe(200);
  const token = (await issued.json()) as { access_token: string; token_type: string; scope: string };
  expect(token).toMatchObject({ token_type: "Bearer", scope: "mcp:access:*" });
  expect((await postInitialize(mcpUrl, token.access_token, clientFetch)).status).toBe(200);

  // The minimal request works too: scope and resource are optional.
  const minimal = await replayCurl(request, { ...example, form: { grant_type: "client_credentials" } });
  expect(minimal.status()).toBe(200);

  // Shown once: after a reload only the client_id is listed, never the secret.
  await page.reload();
  const row = page.getByRole("row").filter({ hasText: clientName });
  await expect(row).toContainText(clientId);
  await expect(row).toContainText(instanceName);
  await expect(page.getByText(clientSecret)).toHaveCount(0);

  await row.getByRole("button", { name: `Delete ${clientName}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete client" }).click();
  await expect(page.getByRole("row").filter({ hasText: clientName })).toHaveCount(0);

  const refused = await replayCurl(request, example);
  expect([400, 401]).toContain(refused.status());
  expect(await refused.json()).toMatchObject({ error: "invalid_client" });
  // Its token died with it.
  expect((await postInitialize(mcpUrl, token.access_token, clientFetch)).status).toBe(401);
});
