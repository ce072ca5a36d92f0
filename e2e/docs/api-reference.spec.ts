import { expect, test } from "@playwright/test";

// /docs/api as a reader opens it: Swagger UI renders the OpenAPI document's operations, and nothing the
// page loads or sends leaves Tumiki's own origin (no CDN, no validator badge, no fonts from elsewhere).

test("the API reference renders the document's operations without any request leaving the origin", async ({
  page,
  baseURL,
}) => {
  const origin = new URL(baseURL ?? "").origin;
  const requested: string[] = [];
  page.on("request", (request) => {
    requested.push(request.url());
  });

  const response = await page.goto("/docs/api");
  expect(response?.status()).toBe(200);
  // The page's policy (a <meta>; the app-wide header adds frame-ancestors 'none'): scripts from the
  // origin only, and nothing fetched from elsewhere.
  const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  expect(policy).toContain("script-src 'self'");
  expect(policy).toContain("connect-src 'self'");
  expect(response?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");

  const token = page.locator('.opblock-summary-path[data-path="/oauth/token"]');
  await expect(token).toBeVisible();
  for (const path of [
    "/mcp/{instanceId}",
    "/oauth/register",
    "/.well-known/oauth-authorization-server",
    "/api/health",
  ]) {
    await expect(page.locator(`.opblock-summary-path[data-path="${path}"]`).first()).toBeVisible();
  }
  // The reference works, not only lists: an operation opens with its parameters and answers.
  await token.click();
  const operation = page.locator("#operations-OAuth-token");
  await expect(operation.getByRole("heading", { name: /Request body/ })).toBeVisible();
  await expect(operation.getByRole("combobox").first()).toHaveValue("application/x-www-form-urlencoded");
  await expect(operation.getByText("client_secret_basic").first()).toBeVisible();
  await expect(operation.locator(".response[data-code='401']")).toBeVisible();
  // The error-code lists are folded under the description; opening one shows its table.
  await page.getByText("Audit log reasons", { exact: true }).click();
  await expect(page.getByRole("cell", { name: "api_key_revoked", exact: true })).toBeVisible();

  expect(requested).toContain(`${origin}/api/openapi.json`);
  // data: URLs (Swagger UI's inline icons) never reach a network.
  const foreign = requested.filter((url) => !url.startsWith("data:") && new URL(url).origin !== origin);
  expect(foreign).toEqual([]);
});
