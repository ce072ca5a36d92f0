import { expect, test } from "@playwright/test";
import { demoBackendPublicMcpUrl } from "../support/demo-backend";
import { signUpAndSignIn } from "../support/session";
import { createTestClientIp } from "../support/users";

// The dashboard's instance life cycle: a server without authentication (the demo backend's public
// endpoint), an instance bundling it, its URL, a rename, an API key shown once and revoked, and deletion.
// Sign-in is not the subject, so the user signs in through the API.

test.use({
  extraHTTPHeaders: { "x-forwarded-for": createTestClientIp() },
  permissions: ["clipboard-read", "clipboard-write"],
});

test("a user bundles a server into an instance, uses its URL and an API key, then deletes it", async ({
  page,
}) => {
  await signUpAndSignIn(page.request);
  const suffix = Date.now().toString(36);
  const serverName = `Local docs ${suffix}`;
  const instanceName = `Work ${suffix}`;
  const renamed = `Team ${suffix}`;
  const keyName = `CI key ${suffix}`;

  await page.goto("/servers");
  await expect(page.getByRole("heading", { level: 1, name: "Servers" })).toBeVisible();
  await page.getByLabel("Server URL").fill(demoBackendPublicMcpUrl);
  await page.getByLabel("Server name").fill(serverName);
  await page.getByRole("button", { name: "Check server" }).click();
  await page.getByRole("button", { name: "Add server" }).click();
  await expect(page.getByRole("row").filter({ hasText: serverName })).toContainText("Connected");

  await page.goto("/instances");
  await expect(page.getByRole("heading", { level: 1, name: "Instances" })).toBeVisible();
  await expect(page.getByText("No instances yet")).toBeVisible();
  await page.getByLabel("Instance name").fill(instanceName);
  await page.getByRole("button", { name: "Create instance" }).click();

  let instance = page.getByRole("article", { name: instanceName });
  await expect(instance).toBeVisible();
  const url = instance.getByTestId("mcp-url");
  await expect(url).toHaveText(/\/mcp\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const mcpUrl = (await url.textContent()) ?? "";

  await instance.getByRole("button", { name: "Copy URL" }).click();
  await expect(instance.getByText("URL copied")).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(mcpUrl);

  await instance.getByRole("checkbox", { name: serverName }).check();
  await instance.getByRole("button", { name: "Save servers" }).click();
  await expect(instance.getByRole("button", { name: "Save servers" })).toBeDisabled();
  await page.reload();
  await expect(
    page.getByRole("article", { name: instanceName }).getByRole("checkbox", { name: serverName }),
  ).toBeChecked();

  instance = page.getByRole("article", { name: instanceName });
  await instance.getByText("Set up an AI client").click();
  await expect(instance.getByText(`claude mcp add --transport http`)).toContainText(mcpUrl);

  await instance.getByRole("button", { name: "Rename" }).click();
  await instance.getByLabel("New name").fill(renamed);
  await instance.getByRole("button", { name: "Save name" }).click();
  instance = page.getByRole("article", { name: renamed });
  await expect(instance.getByRole("heading", { level: 2, name: renamed })).toBeVisible();
  await expect(instance.getByTestId("mcp-url")).toHaveText(mcpUrl);

  await page.goto("/api-keys");
  await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();
  await page.getByLabel("Key name").fill(keyName);
  await page.getByLabel("Instance", { exact: true }).selectOption({ label: renamed });
  await expect(page.getByRole("checkbox", { name: /mcp:access:\*/ })).toBeChecked();
  await page.getByRole("button", { name: "Create API key" }).click();
  const newKey = page.getByTestId("new-api-key");
  await expect(newKey).toHaveText(/^tumiki_\S{20,}$/);
  const key = (await newKey.textContent()) ?? "";
  await expect(page.getByText("cannot show it again")).toBeVisible();

  const keyRow = page.getByRole("row").filter({ hasText: keyName });
  await expect(keyRow).toContainText(key.slice(0, 12));
  await expect(keyRow).toContainText(renamed);
  await expect(keyRow).toContainText("Active");

  // Shown once: after a reload only the prefix remains.
  await page.reload();
  await expect(page.getByTestId("new-api-key")).toHaveCount(0);
  await expect(page.getByText(key)).toHaveCount(0);

  await keyRow.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(keyRow).toContainText("Revoked");
  await expect(keyRow.getByRole("button", { name: "Revoke" })).toHaveCount(0);

  await page.goto("/instances");
  await page.getByRole("article", { name: renamed }).getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete instance" }).click();
  await expect(page.getByText("No instances yet")).toBeVisible();

  await page.goto("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await page.getByLabel("Event type").selectOption("api_key.revoked");
  await expect(page.getByRole("row").filter({ hasText: "api_key.revoked" })).toHaveCount(1);
});
