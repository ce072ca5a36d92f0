import { expect, type Page, test } from "@playwright/test";
import { createTestClientIp, createTestUser } from "../support/users";

// Sign-in is the subject here, so these tests click through the forms rather than signing in via the API.
// They share one user (created by the first test) to stay within the sign-up rate limit.

test.describe.configure({ mode: "serial" });
test.use({ extraHTTPHeaders: { "x-forwarded-for": createTestClientIp() } });

const SECTIONS = [
  { link: "Dashboard", path: "/dashboard" },
  { link: "Servers", path: "/servers" },
  { link: "Instances", path: "/instances" },
  { link: "AI clients", path: "/clients" },
  { link: "API keys", path: "/api-keys" },
  { link: "Tokens", path: "/tokens" },
  { link: "Audit log", path: "/audit" },
] as const;

const user = createTestUser();

async function signUp(page: Page, account: { email: string; password: string; name: string }) {
  await page.goto("/sign-up");
  await page.getByLabel("Name (optional)").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function expectDashboardShell(page: Page) {
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("user-email")).toHaveText(user.email);
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("MCP gateway");
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/sign-in$/);
}

function sessionCookie(cookies: { name: string }[]) {
  return cookies.find((cookie) => cookie.name.endsWith("authjs.session-token"));
}

test("a new user signs up, signs out, and signs back in", async ({ page }) => {
  await signUp(page, user);
  await expectDashboardShell(page);
  await signOut(page);
  expect(sessionCookie(await page.context().cookies())).toBeUndefined();

  await signIn(page, user.email, user.password);
  await expectDashboardShell(page);
  await signOut(page);
});

test("a wrong password shows a clear message and creates no session", async ({ page }) => {
  await signIn(page, user.email, `${user.password}-wrong`);

  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Email or password is incorrect.");
  await expect(page).toHaveURL(/\/sign-in$/);
  expect(sessionCookie(await page.context().cookies())).toBeUndefined();
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/sign-in$/);
});

test("an unknown email gets the same message as a wrong password", async ({ page }) => {
  const stranger = createTestUser();

  await signIn(page, stranger.email, stranger.password);

  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Email or password is incorrect.");
});

test("too many failed sign-ins for one email say so, instead of checking the password", async ({ page }) => {
  const target = createTestUser();
  // The sign-in policy allows 10 attempts per address and email in 15 minutes.
  for (let attempt = 0; attempt < 10; attempt += 1) {
    await signIn(page, target.email, `guess-${attempt}`);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Email or password is incorrect.");
  }

  await signIn(page, target.email, "guess-10");

  await expect(page.getByRole("main").getByRole("alert")).toHaveText(
    "Too many sign-in attempts. Wait a few minutes and try again.",
  );
});

test("signing up with an email that has an account says so", async ({ page }) => {
  await signUp(page, { ...user, email: user.email.toUpperCase() });

  await expect(page.getByRole("main").getByRole("alert")).toHaveText(
    "An account with this email already exists. Sign in instead.",
  );
  await expect(page).toHaveURL(/\/sign-up$/);
});

test("every dashboard page renders its heading and marks its nav link current", async ({ page }) => {
  await signIn(page, user.email, user.password);
  await expectDashboardShell(page);

  const nav = page.getByRole("navigation", { name: "Main" });
  for (const section of SECTIONS) {
    const link = nav.getByRole("link", { name: section.link, exact: true });
    await link.click();
    await expect(page).toHaveURL(new RegExp(`${section.path}$`));
    await expect(page.getByRole("heading", { level: 1, name: section.link })).toBeVisible();
    await expect(link).toHaveAttribute("aria-current", "page");
  }
});

test("signed-out visitors see the landing page and cannot open dashboard pages", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("MCP gateway");

  for (const section of SECTIONS) {
    await page.goto(section.path);
    await expect(page).toHaveURL(/\/sign-in$/);
  }
});
