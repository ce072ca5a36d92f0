import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import type { Browser } from "@playwright/test";
import { InMemoryOAuthClientProvider } from "../support/in-memory-oauth-client-provider";
import { uniqueName } from "../support/oauth-flow";
import { actAsClientAddress, expect, test } from "../support/oauth-test";
import { signUpAndSignIn } from "../support/session";
import { createInstance } from "../support/trpc";
import { createTestUser } from "../support/users";

// An AI client sends the user to Tumiki's authorization endpoint, often in a browser that is not signed
// in. The authorization request survives the detour through sign-in (and sign-up), and the user comes
// back to it. The instance is created by its owner in another browser context, so the spec's page
// starts signed out.

const { ip: clientIp, fetch: clientFetch } = actAsClientAddress();

async function createOwnedInstance(browser: Browser, baseURL: string | undefined) {
  const owner = await browser.newContext({ baseURL, extraHTTPHeaders: { "x-forwarded-for": clientIp } });
  const account = await signUpAndSignIn(owner.request);
  const instance = await createInstance(owner.request, uniqueName("away"));
  await owner.close();
  return { account, mcpUrl: `${baseURL}/mcp/${instance.id}` };
}

async function startAuthorization(mcpUrl: string) {
  const provider = new InMemoryOAuthClientProvider({
    clientName: uniqueName("E2E returning client"),
    redirectUri: "http://127.0.0.1:3399/callback",
  });
  expect(await auth(provider, { serverUrl: mcpUrl, fetchFn: clientFetch })).toBe("REDIRECT");
  return provider;
}

test("a signed-out user signs in from the authorization request and lands on its consent page", async ({
  page,
  browser,
  baseURL,
}) => {
  const { account, mcpUrl } = await createOwnedInstance(browser, baseURL);
  const provider = await startAuthorization(mcpUrl);

  await page.goto(provider.authorizationUrl?.toString() ?? "");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Foauth%2Fauthorize/);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: /^Authorize E2E returning client/ })).toBeVisible();
  await expect(page.getByRole("button", { name: "Approve" })).toBeVisible();
});

test("a newcomer who signs up on the way comes back to the request, which is not theirs to grant", async ({
  page,
  browser,
  baseURL,
}) => {
  const { mcpUrl } = await createOwnedInstance(browser, baseURL);
  const provider = await startAuthorization(mcpUrl);

  await page.goto(provider.authorizationUrl?.toString() ?? "");
  await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Foauth%2Fauthorize/);
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/sign-up\?callbackUrl=%2Foauth%2Fauthorize/);

  const newcomer = createTestUser();
  await page.getByLabel("Email").fill(newcomer.email);
  await page.getByLabel("Password").fill(newcomer.password);
  await page.getByRole("button", { name: "Create account" }).click();
  // Signed up and back at /oauth/authorize, which refuses someone else's instance. The newcomer never
  // approved this client, so Tumiki does not redirect to it on its own: the page says what went wrong
  // and offers the way back, with the error for the client.
  const returnLink = page.getByRole("link", { name: "Return to the app" });
  await expect(returnLink).toBeVisible();
  const callback = new URL((await returnLink.getAttribute("href")) ?? "");
  expect(`${callback.origin}${callback.pathname}`).toBe("http://127.0.0.1:3399/callback");
  expect(callback.searchParams.get("error")).toBe("invalid_target");
  expect(callback.searchParams.get("state")).toBe(provider.lastState);
});
