import { defineConfig, devices } from "@playwright/test";
import { demoBackendPort } from "./e2e/support/demo-backend";
import { modernBackendHostPort } from "./e2e/support/modern-backend";
import { SECOND_APP_LOCAL_PORT, startsSecondAppLocally } from "./e2e/support/second-app";
import { ensureTestTls } from "./e2e/support/test-tls";

// End-to-end tests in Chromium. Chromium is the distribution's (/usr/bin/chromium): `npx playwright
// install` cannot download here.
//
// Playwright always starts the test OpenID Connect provider (e2e/fixtures/oidc-idp.mts), the https host of
// Client ID Metadata Documents (e2e/fixtures/cimd-host.mts) and the OAuth-protected demo backend MCP server
// (scripts/demo-backend.ts, URLs in e2e/support/demo-backend.ts). The app is either already running at
// E2E_BASE_URL, started with the settings of `e2eAppEnv` (CI does this), or, without E2E_BASE_URL, started
// here with `npm start` on port 3000 (run `npm run build` first). The two-process spec
// (e2e/proxy/two-app-processes.spec.ts) needs a second app process on the same PostgreSQL, Redis and APP_URL:
// CI starts it and passes E2E_SECOND_BASE_URL; started here, it is started here too, on port 3002, when
// DATABASE_URL and REDIS_URL are set (e2e/support/second-app.ts).

const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 3310);
const cimdPort = Number(process.env.E2E_CIMD_PORT ?? 3320);
const externalApp = process.env.E2E_BASE_URL;
const baseURL = externalApp ?? "http://localhost:3000";

/** What the app must be started with for the single sign-on spec; .ci/run exports the same. */
export const e2eOidcEnv = {
  AUTH_OIDC_ISSUER: process.env.AUTH_OIDC_ISSUER ?? `http://localhost:${oidcPort}`,
  AUTH_OIDC_CLIENT_ID: process.env.AUTH_OIDC_CLIENT_ID ?? "tumiki-e2e",
  AUTH_OIDC_CLIENT_SECRET: process.env.AUTH_OIDC_CLIENT_SECRET ?? "e2e-only-client-secret",
  AUTH_OIDC_NAME: "Test IdP",
};

/** Settings of the app under test that the specs rely on besides e2eOidcEnv; .ci/run exports the same. */
export const e2eAppEnv = {
  // The CIMD host's certificate is self-signed, and it, the demo backend and the 2026-07-28 backend that
  // e2e/proxy/protocol-eras.spec.ts starts listen on loopback: the app trusts them for the tests only
  // (production has neither setting).
  NODE_EXTRA_CA_CERTS: ensureTestTls().certPath,
  OUTBOUND_ALLOWED_PRIVATE_HOSTS: `localhost:${cimdPort},localhost:${demoBackendPort},${modernBackendHostPort}`,
  // As if behind one reverse proxy: specs send X-Forwarded-For (e2e/support/users.ts).
  TRUSTED_PROXY_HOPS: "1",
  // The operator of e2e/dashboard/admin.spec.ts, which gives this address to an account of its own.
  ADMIN_EMAILS: "e2e-operator@example.test",
};

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
  webServer: [
    {
      command: "node --import tsx e2e/fixtures/oidc-idp.mts",
      url: `http://localhost:${oidcPort}/.well-known/openid-configuration`,
      env: { ...e2eOidcEnv, E2E_BASE_URL: baseURL, E2E_OIDC_PORT: String(oidcPort) },
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
    {
      command: "node --import tsx e2e/fixtures/cimd-host.mts",
      url: `https://localhost:${cimdPort}/health`,
      ignoreHTTPSErrors: true,
      env: { E2E_CIMD_PORT: String(cimdPort) },
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
    {
      command: "node --import tsx scripts/demo-backend.ts",
      url: `http://localhost:${demoBackendPort}/__demo/stats`,
      env: { DEMO_BACKEND_PORT: String(demoBackendPort) },
      reuseExistingServer: !process.env.CI,
      timeout: 30_000,
    },
    ...(externalApp
      ? []
      : [
          {
            command: "npm start",
            url: `${baseURL}/api/health`,
            env: { ...e2eOidcEnv, ...e2eAppEnv, PORT: "3000" },
            reuseExistingServer: false,
            timeout: 180_000,
          },
        ]),
    // Started after the first one is up (Playwright starts web servers in order): its migrations are
    // applied and the local secrets it shares (.data/local-secrets.json) exist by then.
    ...(startsSecondAppLocally
      ? [
          {
            command: "npm start",
            url: `http://localhost:${SECOND_APP_LOCAL_PORT}/api/health`,
            env: {
              ...e2eOidcEnv,
              ...e2eAppEnv,
              PORT: String(SECOND_APP_LOCAL_PORT),
              APP_URL: process.env.APP_URL ?? baseURL,
            },
            reuseExistingServer: false,
            timeout: 180_000,
          },
        ]
      : []),
  ],
});
