import { expect, test } from "@playwright/test";
import { e2eAppEnv } from "../../playwright.config";
import { queryDatabase } from "../support/database";
import { signUpAndSignIn } from "../support/session";
import { createTestClientIp, createTestUser } from "../support/users";

// The admin page as an operator uses it: a user who is not in ADMIN_EMAILS sees no Admin link and gets
// a 404 at /admin; once their account carries the operator address the app runs with (e2eAppEnv), they
// find a user by email, give them a /mcp limit of their own, are told a bad number is refused, put them
// back on the default, and find both changes in their audit log.

test.use({ extraHTTPHeaders: { "x-forwarded-for": createTestClientIp() } });

const OPERATOR_EMAIL = e2eAppEnv.ADMIN_EMAILS;

test("an operator sets and clears a user's /mcp limit; nobody else sees the page", async ({ page }) => {
  const account = await signUpAndSignIn(page.request);
  const member = createTestUser();
  const signUp = await page.request.post("/api/trpc/account.signUp", {
    data: { json: { email: member.email, password: member.password, name: member.name } },
  });
  expect(signUp.ok()).toBe(true);

  await page.goto("/dashboard");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  expect((await page.goto("/admin"))?.status()).toBe(404);

  // The operator address, moved to this run's account: an earlier run's account gives it up first.
  await queryDatabase(
    `UPDATE "User" SET "email" = 'retired-' || "id" || '@example.test' WHERE "email" = $1`,
    [OPERATOR_EMAIL],
  );
  await queryDatabase(`UPDATE "User" SET "email" = $1 WHERE "email" = $2`, [OPERATOR_EMAIL, account.email]);
  // Listed but not yet confirmed (anyone could have signed up with the address): still no admin page.
  await page.goto("/dashboard");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  // What `npm run admin:confirm-operator -- <email>` does from the operator's shell.
  await queryDatabase(`UPDATE "User" SET "emailVerified" = now() WHERE "email" = $1`, [OPERATOR_EMAIL]);

  await page.goto("/dashboard");
  await page.getByRole("link", { name: "Admin" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Admin" })).toBeVisible();

  await page.getByLabel("Email contains").fill(member.email.toUpperCase());
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("row").filter({ hasText: member.email });
  await expect(row).toContainText("1,000 per 1 h");
  await expect(row).toContainText("default");
  await expect(page.getByRole("row")).toHaveCount(2);

  await row.getByRole("button", { name: `Change the /mcp limit of ${member.email}` }).click();
  const limit = page.getByLabel("Requests per 1 h");
  await limit.fill("0");
  await page.getByRole("button", { name: "Save limit" }).click();
  await expect(page.getByText("The limit must be at least 1.")).toBeVisible();
  await limit.fill("5000");
  await page.getByRole("button", { name: "Save limit" }).click();
  await expect(page.getByRole("status")).toContainText(
    `${member.email} may now make 5,000 requests per 1 h.`,
  );
  await expect(row).toContainText("5,000 per 1 h");
  await expect(row).toContainText("set by an operator");

  await row.getByRole("button", { name: `Change the /mcp limit of ${member.email}` }).click();
  await page.getByRole("button", { name: "Use the default" }).click();
  await expect(page.getByRole("status")).toContainText(`${member.email} is back on the default limit.`);
  await expect(row).toContainText("1,000 per 1 h");
  await expect(row).toContainText("default");

  await page.goto("/audit");
  await page.getByLabel("Event type").selectOption("admin.limit_changed");
  await expect(page.getByRole("row").filter({ hasText: "admin.limit_changed" })).toHaveCount(2);
});
