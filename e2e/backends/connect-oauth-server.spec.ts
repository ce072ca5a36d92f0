import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { demoBackendMcpUrl, demoBackendOrigin } from "../support/demo-backend";
import { signUpAndSignIn } from "../support/session";
import { createTestClientIp } from "../support/users";

// Tier 2 in the browser, against the real OAuth-protected demo backend (oidc-provider + MCP SDK server,
// started by Playwright): a user checks the server's URL and sees what discovery found, connects it in
// the popup (the backend's own sign-in page), sees the token with its countdown on the Tokens page,
// refreshes it, disconnects it (revoked at the backend) and connects it again. The failures a user can meet
// in the popup (a denied consent, a forged callback) store nothing and say so.

test.use({ extraHTTPHeaders: { "x-forwarded-for": createTestClientIp() } });

type TDemoStats = { tokenRequests: Record<string, number>; registrations: number; revocations: number };

async function demoStats(page: Page): Promise<TDemoStats> {
  return (await (await page.request.get(`${demoBackendOrigin}/__demo/stats`)).json()) as TDemoStats;
}

async function checkDemoServer(page: Page, name: string) {
  await page.goto("/servers");
  await page.getByLabel("Server URL").fill(demoBackendMcpUrl);
  await page.getByLabel("Server name").fill(name);
  await page.getByRole("button", { name: "Check server" }).click();
}

/** Clicks `trigger`, answers the backend's sign-in page in the popup, and waits for it to close. */
async function signInAtBackend(page: Page, trigger: () => Promise<void>, answer: "Allow" | "Deny") {
  const popupOpened = page.waitForEvent("popup");
  await trigger();
  const popup = await popupOpened;
  await popup.getByLabel("Account name").fill(`account-${randomBytes(4).toString("hex")}`);
  const closed = popup.waitForEvent("close");
  await popup.getByRole("button", { name: answer }).click();
  await closed;
}

test("a user connects an OAuth server in a popup and manages its token", async ({ page }) => {
  await signUpAndSignIn(page.request);
  const name = `Notes ${randomBytes(3).toString("hex")}`;
  const before = await demoStats(page);

  await checkDemoServer(page, name);
  // What discovery found is shown before anything is stored or opened.
  const form = page.getByRole("region", { name: "Add a server" });
  await expect(form).toContainText("OAuth");
  await expect(form).toContainText(demoBackendOrigin);
  await expect(form).toContainText("notes:read");
  await expect(form).toContainText(/dynamic/i);
  expect((await demoStats(page)).registrations).toBe(before.registrations);

  await signInAtBackend(page, () => page.getByRole("button", { name: "Add and connect" }).click(), "Allow");
  await expect(page.getByRole("status").filter({ hasText: `Connected to ${name}` })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: name })).toContainText("Connected");
  const afterConnect = await demoStats(page);
  expect(afterConnect.registrations).toBe(before.registrations + 1);

  await page.goto("/tokens");
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("Connected");
  await expect(row).toContainText("notes:read");
  // The demo backend's tokens live an hour: the countdown shows it, and ticks.
  const countdown = row.locator("time");
  await expect(countdown).toContainText(/in (59|60)m \d+s/);
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first ?? "");

  await row.getByRole("button", { name: "Refresh now" }).click();
  await expect(page.getByRole("status").filter({ hasText: /refreshed/i })).toBeVisible();
  await expect(row.getByRole("cell").nth(4)).toHaveText("1");
  const afterRefresh = await demoStats(page);
  expect(afterRefresh.tokenRequests.refresh_token ?? 0).toBe(
    (afterConnect.tokenRequests.refresh_token ?? 0) + 1,
  );

  await row.getByRole("button", { name: `Disconnect ${name}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Disconnect server" }).click();
  await expect(row).toContainText("Not connected");
  expect((await demoStats(page)).revocations).toBeGreaterThan(afterRefresh.revocations);

  await signInAtBackend(
    page,
    () => row.getByRole("button", { name: `Connect ${name}`, exact: true }).click(),
    "Allow",
  );
  await expect(row).toContainText("Connected");
  await expect(row.getByRole("cell").nth(4)).toHaveText("0");
});

test("a denied consent is reported in the popup's opener and stores no token", async ({ page }) => {
  await signUpAndSignIn(page.request);
  const name = `Denied ${randomBytes(3).toString("hex")}`;
  await checkDemoServer(page, name);
  await signInAtBackend(page, () => page.getByRole("button", { name: "Add and connect" }).click(), "Deny");
  await expect(page.getByRole("alert").filter({ hasText: /declined/i })).toBeVisible();

  await page.goto("/tokens");
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText("Not connected");
  await expect(row.getByRole("button", { name: `Connect ${name}`, exact: true })).toBeVisible();
});

test("the callback refuses a state it did not issue, in words, without storing anything", async ({
  page,
}) => {
  await signUpAndSignIn(page.request);
  const response = await page.goto(
    `/oauth/callback?code=forged&state=${randomBytes(32).toString("base64url")}`,
  );
  expect(response?.status()).toBe(400);
  expect(response?.headers()["cache-control"]).toContain("no-store");
  expect(response?.headers()["referrer-policy"]).toBe("no-referrer");
  await expect(page.getByRole("alert")).toContainText("does not belong to a connection you started");
  await page.goto("/tokens");
  await expect(page.getByText("No server tokens yet")).toBeVisible();
});
