import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";

// Single sign-on through a real OpenID Connect provider (e2e/fixtures/oidc-idp.mts, oidc-provider),
// configured on the app by AUTH_OIDC_* as an operator would configure Auth0 or Keycloak.

test("a user signs in with the operator's OpenID Connect provider and lands on the dashboard", async ({
  page,
}) => {
  const login = `sso-${randomBytes(5).toString("hex")}`;

  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Continue with Test IdP" }).click();

  // The provider's own pages: sign in, then grant the app access.
  await expect(page).toHaveURL(/^http:\/\/localhost:3310\//);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: /sign-in/i }).click();
  await page.getByRole("button", { name: /continue/i }).click();

  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByText(`${login}@idp.example.test`).first()).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/(sign-in)?$/);
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/sign-in/);
});
