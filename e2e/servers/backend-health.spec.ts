import { randomBytes, randomUUID } from "node:crypto";
import { expect, test } from "@playwright/test";
import { queryDatabase } from "../support/database";
import { postMcpMessage } from "../support/post-mcp-message";
import { signUpAndSignIn } from "../support/session";
import { callTrpc, createInstance, queryTrpc } from "../support/trpc";
import { createTestClientIp } from "../support/users";

// A backend server that fails goes down, and the dashboard says so: the server's URL is the https-only
// Client ID Metadata Document host spoken to in plain http (allowed for local hosts in e2e), which
// drops every such connection. AI-client traffic through the app (2025 `initialize`, which asks every
// server of the instance) makes it fail three times in a row; the Servers page and the instance card
// then show it Down with the last error and how long ago. No add-server form: it would refuse the URL.

test.use({ extraHTTPHeaders: { "x-forwarded-for": createTestClientIp() } });

const UNREACHABLE_URL = `http://localhost:${process.env.E2E_CIMD_PORT ?? 3320}/mcp`;

test("a failing server shows as Down on the Servers and Instances pages", async ({ page, baseURL }) => {
  const account = await signUpAndSignIn(page.request);
  const suffix = randomBytes(3).toString("hex");
  const serverName = `Flaky tools ${suffix}`;
  const [user] = await queryDatabase<{ id: string }>(`SELECT "id" FROM "User" WHERE "email" = $1`, [
    account.email,
  ]);
  if (!user) throw new Error("the signed-up user has no row");
  const serverId = randomUUID();
  const connectionId = randomUUID();
  await queryDatabase(
    `INSERT INTO "McpServer" ("id", "name", "slug", "url", "ownerUserId", "updatedAt") VALUES ($1, $2, $3, $4, $5, now())`,
    [serverId, serverName, `flaky-tools-${suffix}`, UNREACHABLE_URL, user.id],
  );
  await queryDatabase(
    `INSERT INTO "UserMcpConfig" ("id", "userId", "mcpServerId", "status", "updatedAt") VALUES ($1, $2, $3, 'CONNECTED', now())`,
    [connectionId, user.id, serverId],
  );
  const instance = await createInstance(page.request, `Health ${suffix}`);
  await callTrpc(page.request, "instance.setConnections", {
    instanceId: instance.id,
    connectionIds: [connectionId],
  });
  const { key } = await callTrpc<{ key: string }>(page.request, "apiKey.create", {
    instanceId: instance.id,
    name: `health ${suffix}`,
  });

  const health = async () =>
    (await queryTrpc<Record<string, { state: string }>>(page.request, "servers.health"))[serverId]?.state;
  expect(await health()).toBe("unknown");

  const reasons: unknown[] = [];
  for (let attempt = 0; attempt < 5 && (await health()) !== "down"; attempt += 1) {
    const answer = await postMcpMessage({
      url: `${baseURL}/mcp/${instance.id}`,
      bearer: key,
      message: {
        jsonrpc: "2.0",
        id: attempt,
        method: "initialize",
        params: {
          protocolVersion: "2025-11-25",
          capabilities: {},
          clientInfo: { name: "e2e", version: "1" },
        },
      },
    });
    expect(answer.status).toBe(200);
    const leftOut = answer.messages[0]?.result?._meta as Record<string, { reason: string }[]> | undefined;
    reasons.push(leftOut?.["tumiki/unavailableServers"]?.[0]?.reason);
  }
  expect(await health()).toBe("down");
  expect(reasons.every((reason) => reason === "unreachable" || reason === "closed_early")).toBe(true);

  await page.goto("/servers");
  const row = page.getByRole("row").filter({ hasText: serverName });
  await expect(row).toContainText("Down");
  await expect(row).toContainText(
    /(Could not be reached|Closed the connection without answering), (now|\d+ seconds? ago)/,
  );
  await expect(row.locator("time")).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT/);

  await page.goto("/instances");
  const card = page.getByRole("article", { name: `Health ${suffix}` });
  await expect(card.getByRole("listitem").filter({ hasText: serverName })).toContainText("Down");
});
