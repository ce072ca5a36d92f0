import { randomBytes } from "node:crypto";
import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

// `npm run docs:screenshots`: the user guide's screenshots (e2e/docs/screenshots.capture.ts), with the
// fixtures and app of the end-to-end suite (playwright.config.ts; run `npm run build` first). Only
// *.capture.ts files run here, and the suite's testMatch (*.spec.ts) never picks them up. The app
// started here makes the capturing user an operator (ADMIN_EMAILS), so the Admin page is photographed
// too; the address is new on every run because each run signs up a fresh user.

process.env.DOCS_ADMIN_EMAIL ??= `docs-admin-${randomBytes(4).toString("hex")}@example.test`;

const webServers = Array.isArray(base.webServer) ? base.webServer : base.webServer ? [base.webServer] : [];

export default defineConfig({
  ...base,
  testMatch: "docs/**/*.capture.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: "list",
  webServer: webServers.map((server) =>
    server.command === "npm start" && server.env?.PORT === "3000"
      ? { ...server, env: { ...server.env, ADMIN_EMAILS: process.env.DOCS_ADMIN_EMAIL ?? "" } }
      : server,
  ),
});
