import { randomBytes, randomUUID } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { queryDatabase } from "../support/database";
import { demoBackendMcpUrl } from "../support/demo-backend";
import { signUpAndSignIn } from "../support/session";
import { signInAtDemoBackend } from "../support/sign-in-at-demo-backend";
import { callTrpc, createInstance, queryTrpc } from "../support/trpc";
import { createTestClientIp } from "../support/users";

// The dashboard home as users see it: a new user is told what to do first; a user with an instance
// and seeded tool calls (audit rows at known times, straight into the database) reads the figures next
// to the charts for the last 24 hours and 7 days, per instance and server, and is shown a backend token
// that expires soon and cannot be renewed, with the Reconnect that fixes it. The audit log shows the
// same calls' tool, duration and API key.

test.use({ extraHTTPHeaders: { "x-forwarded-for": createTestClientIp() } });

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

type TUserServer = { serverId: string; connectionId: string; name: string; slug: string };

async function connectDemoServer(page: Page, name: string) {
  await page.goto("/servers");
  await page.getByLabel("Server URL").fill(demoBackendMcpUrl);
  await page.getByLabel("Server name").fill(name);
  await page.getByRole("button", { name: "Check server" }).click();
  await signInAtDemoBackend(page, {
    trigger: () => page.getByRole("button", { name: "Add and connect" }).click(),
    account: `usage-${randomBytes(4).toString("hex")}`,
  });
  await expect(page.getByRole("status").filter({ hasText: `Connected to ${name}` })).toBeVisible();
  const servers = await queryTrpc<TUserServer[]>(page.request, "servers.list");
  const server = servers.find((row) => row.name === name);
  if (!server) throw new Error(`${name} is not among the user's servers`);
  return server;
}

test("a new user is told what to do first", async ({ page }) => {
  await signUpAndSignIn(page.request);
  await page.goto("/dashboard");

  const start = page.getByRole("region", { name: "Get started" });
  await expect(start).toBeVisible();
  await expect(start.getByRole("link", { name: "Connect a server" })).toHaveAttribute("href", "/servers");
  await expect(start.getByRole("link", { name: "Create an instance" })).toHaveAttribute("href", "/instances");
  await expect(start.getByRole("link", { name: "Connect an AI client" })).toHaveAttribute("href", "/clients");
  await expect(page.getByRole("heading", { name: "Tool calls" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Needs your attention" })).toHaveCount(0);
  await expect(page.getByText("arrive with later releases")).toHaveCount(0);
});

test("the dashboard charts seeded tool calls and flags an expiring token with its action", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const account = await signUpAndSignIn(page.request);
  const serverName = `Notes ${randomBytes(3).toString("hex")}`;
  const instanceName = `Usage ${randomBytes(3).toString("hex")}`;
  const server = await connectDemoServer(page, serverName);
  const instance = await createInstance(page.request, instanceName);
  await callTrpc(page.request, "instance.setConnections", {
    instanceId: instance.id,
    connectionIds: [server.connectionId],
  });
  const key = await callTrpc<{ id: string }>(page.request, "apiKey.create", {
    name: "CI key",
    instanceId: instance.id,
    scopes: ["mcp:access:*"],
  });
  const [user] = await queryDatabase<{ id: string }>(`SELECT id FROM "User" WHERE email = $1`, [
    account.email,
  ]);
  if (!user) throw new Error("the signed-up user is not in the database");

  // Four calls half an hour ago (one failed), two three days ago: the 24-hour window holds the first
  // four (p50 250 ms, p95 385 ms), the 7-day window all six (p50 150 ms, p95 375 ms).
  const calls: [number, string, number][] = [
    [30 * MINUTE, "SUCCESS", 100],
    [30 * MINUTE, "SUCCESS", 200],
    [30 * MINUTE, "SUCCESS", 300],
    [30 * MINUTE, "FAILURE", 400],
    [3 * DAY, "SUCCESS", 50],
    [3 * DAY, "SUCCESS", 50],
  ];
  for (const [ago, outcome, durationMs] of calls) {
    await queryDatabase(
      `INSERT INTO "AuditLog" (id, "eventType", outcome, "actorUserId", "instanceId", "mcpServerId",
                               "durationMs", detail, "createdAt")
       VALUES ($1, 'mcp.tool_called', $2::"AuditOutcome", $3, $4, $5, $6, $7::jsonb, $8::timestamp)`,
      [
        `e2e${randomUUID().replaceAll("-", "")}`,
        outcome,
        user.id,
        instance.id,
        server.serverId,
        durationMs,
        JSON.stringify({
          tool: "search_notes",
          serverSlug: server.slug,
          authKind: "api_key",
          apiKeyId: key.id,
        }),
        // createdAt is a UTC timestamp without time zone; the ISO string's zone is ignored by the cast.
        new Date(Date.now() - ago).toISOString(),
      ],
    );
  }
  // The backend's token now expires in two hours and cannot be renewed (no refresh token).
  await queryDatabase(
    `UPDATE "OAuthToken" SET "refreshToken" = NULL, "expiresAt" = $1::timestamp
     WHERE "userMcpConfigId" = $2`,
    [new Date(Date.now() + 2 * 60 * MINUTE).toISOString(), server.connectionId],
  );

  await page.goto("/dashboard");
  await expect(page.getByRole("region", { name: "Get started" })).toHaveCount(0);

  const attention = page.getByRole("region", { name: "Needs your attention" });
  const entry = attention.getByTestId("token-attention").filter({ hasText: serverName });
  await expect(entry).toContainText("cannot renew");
  await expect(entry).toContainText(/in (1h 5\d|2h 0)m/);
  await expect(entry.getByRole("link", { name: "Tokens page" })).toHaveAttribute("href", "/tokens");
  const reconnect = entry.getByRole("button", { name: `Reconnect ${serverName}` });
  await expect(reconnect).toBeVisible();

  const usage = page.getByRole("region", { name: "Tool calls" });
  const totals = usage.getByTestId("usage-totals");
  await expect(totals).toContainText("Calls4");
  await expect(totals).toContainText("Errors1 (25%)");
  await expect(totals).toContainText("Latency p50250 ms");
  await expect(totals).toContainText("Latency p95385 ms");
  // The charts drew the figures: bars for the calls, points (a line when there are several) for latency.
  await expect(usage.getByTestId("calls-chart").locator(".recharts-bar-rectangle").first()).toBeVisible();
  await expect(usage.getByTestId("latency-chart").locator(".recharts-line-dot").first()).toBeVisible();
  await expect(usage.getByRole("table", { name: "Tool calls per instance" })).toContainText(instanceName);

  await usage.getByRole("button", { name: "Last 7 days" }).click();
  await expect(totals).toContainText("Calls6");
  await expect(totals).toContainText("Errors1 (17%)");
  await expect(totals).toContainText("Latency p50150 ms");
  await expect(totals).toContainText("Latency p95375 ms");
  const perServer = usage.getByRole("table", { name: "Tool calls per server" });
  await expect(perServer.getByRole("row").filter({ hasText: serverName })).toContainText("6");
  await usage.getByLabel("Show").selectOption({ label: `Server: ${serverName}` });
  await expect(totals).toContainText("Calls6");

  const instances = page.getByRole("region", { name: "Instances", exact: true });
  const card = instances.getByTestId("instance-summary").filter({ hasText: instanceName });
  await expect(card).toContainText(`/mcp/${instance.id}`);
  await expect(card.getByRole("list", { name: `Servers of ${instanceName}` })).toContainText(serverName);
  await expect(
    page
      .getByRole("region", { name: "Servers", exact: true })
      .getByRole("row")
      .filter({ hasText: serverName }),
  ).toContainText("Connected");

  // The action works from here: a new sign-in gives a renewable token, and the notice goes.
  await signInAtDemoBackend(page, {
    trigger: () => reconnect.click(),
    account: `usage-${randomBytes(4).toString("hex")}`,
  });
  await expect(page.getByTestId("token-attention")).toHaveCount(0);

  await page.goto("/audit");
  const toolRow = page.getByRole("row").filter({ hasText: "search_notes" }).filter({ hasText: "400 ms" });
  await expect(toolRow.getByRole("cell").nth(3)).toHaveText("CI keyAPI key");
  await expect(toolRow).toContainText(serverName);
  await expect(toolRow).toContainText("FAILURE");
});
