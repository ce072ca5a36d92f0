import { defineConfig, devices } from "@playwright/test";

// End-to-end tests run against a server that is already up (CI starts `next start` itself) at
// E2E_BASE_URL. E2E_START_SERVER=1 lets a developer have Playwright start one instead.
// Chromium is the distribution's (/usr/bin/chromium): `npx playwright install` cannot download here.

const baseURL = process.env.E2E_BASE_URL ?? "http://localhost:3000";

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : "list",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer:
    process.env.E2E_START_SERVER === "1"
      ? { command: "npm run start", url: baseURL, reuseExistingServer: true, timeout: 180_000 }
      : undefined,
});
